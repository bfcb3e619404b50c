/*
 * A standalone reproducer for QEMU developers: a bash script that needs only QEMU's own binaries
 * (qemu-system-x86_64, qemu-img, qemu-io) and python3's standard library (for QMP over a unix
 * socket and a minimal NBD client; socat is not on a Debian base system). It builds the COLO
 * block-replication pair of OBSERVATIONS.md §1 with QMP, writes the primary's clusters with qemu-io
 * over NBD, then, from one python3 process that keeps its QMP connection (as colosim hunt does):
 * deletes the colo1 export, sends the failover command and, the moment it returns, every secondary
 * write at once on an NBD connection opened beforehand, then polls query-named-block-nodes until
 * the commit's mirror_top node is gone. Each acknowledged write is then read back with
 * `qemu-io read -P` through the secondary disk's own NBD export of the still-running secondary,
 * as the hunt reads it, and the lost offsets are taken from qemu-io's "Pattern verification failed"
 * lines, not its exit status: the exporter's first version tested `qemu-io ... | grep -q` under
 * `set -o pipefail`, which is false exactly when the pattern check fails (qemu-io exits 1), so it
 * counted no loss (0/11 on 10.0.2) while the writes were missing all along.
 * The race is timing-dependent, so it repeats TRIALS times; exit 1 when any trial lost a write
 * (STOP_ON_LOSS=1 stops at the first lossy trial).
 */
import type { FailoverShape } from './shapeFromScenario.js';

export interface ReproOptions {
  readonly name: string;
  readonly qcow2Options: Readonly<Record<string, string | number | boolean>>;
  readonly trials: number;
  readonly description: string;
}

export function reproScript(shape: FailoverShape, options: ReproOptions): string {
  const opts = Object.entries(options.qcow2Options).map(([k, v]) => `, ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('');
  // aio_write: every write in flight at once, as a guest's queue (and colosim hunt's NBD client) has them.
  const primary = [...shape.primaryWrites.map((w) => `aio_write -q -P 0x${w.pattern.toString(16)} ${w.offset} ${w.length}`), 'aio_flush'].join('\n');
  const checks = shape.secondaryWrites.map((w) => `${w.offset} ${w.length} 0x${w.pattern.toString(16)}`).join('\n');
  return `#!/usr/bin/env bash
# ${options.name}: acknowledged secondary writes lost by QEMU's COLO failover commit.
# ${options.description.replace(/\n/g, ' ')}
# Written by colosim export-repro; needs only QEMU (qemu-system-x86_64, qemu-img, qemu-io) and python3.
# Usage: [QEMU_DIR=/path/to/bin] [STOP_ON_LOSS=1] bash THIS_SCRIPT [TRIALS]   (default: the binaries on PATH, ${options.trials} trials)
# Exit 0: no trial lost a write. Exit 1: some acknowledged write is missing after the commit. Exit 3: set-up failed.
set -euo pipefail
BIN="\${QEMU_DIR:+\$QEMU_DIR/}"
QEMU="\${BIN}qemu-system-x86_64"; IMG="\${BIN}qemu-img"; IO="\${BIN}qemu-io"
TRIALS="\${1:-${options.trials}}"
SIZE=${shape.diskSizeBytes}
QCOW2_OPTS='${opts}'
for tool in "$QEMU" "$IMG" "$IO" python3 truncate; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 3; }; done

# qmp SOCKET 'JSON COMMAND'...: runs each command (after qmp_capabilities), prints each return value; exits 3 on an error.
qmp() {
  python3 - "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile('rw')
def answer():
    while True:
        msg = json.loads(f.readline())
        if 'return' in msg or 'error' in msg: return msg
json.loads(f.readline())  # greeting
f.write('{"execute": "qmp_capabilities"}\\n'); f.flush(); answer()
for cmd in sys.argv[2:]:
    f.write(cmd + '\\n'); f.flush()
    msg = answer()
    if 'error' in msg: sys.stderr.write('QMP error for %s: %s\\n' % (cmd, msg['error']['desc'])); sys.exit(3)
    print(json.dumps(msg['return']))
PY
}
# race QMP_SOCKET NBD_SOCKET EXPORT WRITES IDLE_EXPORT COLO_EXPORT: opens the NBD export (and IDLE_EXPORT)
# first; on one QMP connection deletes COLO_EXPORT, sends the failover command and, the moment its
# reply is in, every write of WRITES ("offset length pattern" lines) at once; prints "wrote OFFSET"
# for each write the server acknowledged; then polls every 2 ms until the commit's mirror_top node is
# gone, and exits 3 if the active disk is still there (the commit did not complete).
race() {
  python3 - "$@" <<'PY'
import json, socket, struct, sys, time
qmp_path, nbd_path, export, writes_path, idle_export, colo_export = sys.argv[1:7]
def nbd_open(name):
    sock = socket.socket(socket.AF_UNIX); sock.connect(nbd_path)
    def recv(n):
        buf = b''
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk: raise SystemExit('NBD server closed the connection')
            buf += chunk
        return buf
    magic, opt_magic, flags = struct.unpack('>QQH', recv(18))
    no_zeroes = flags & 2
    sock.sendall(struct.pack('>I', 1 | no_zeroes))
    sock.sendall(struct.pack('>QII', opt_magic, 1, len(name.encode())) + name.encode())  # NBD_OPT_EXPORT_NAME
    recv(10 if no_zeroes else 134)
    return sock, recv
nbd, recv = nbd_open(export)
# A second client, idle on the secondary disk's own export, as a reader of that disk would be.
idle, _ = nbd_open(idle_export)
writes = [tuple(int(x, 0) for x in line.split()) for line in open(writes_path) if line.strip()]
q = socket.socket(socket.AF_UNIX); q.connect(qmp_path); f = q.makefile('rw')
events = []
def answer():
    while True:
        msg = json.loads(f.readline())
        if 'return' in msg or 'error' in msg: return msg
        events.append(msg.get('event'))
def execute(name, args):
    f.write(json.dumps({'execute': name, 'arguments': args}) + '\\n'); f.flush()
    msg = answer()
    if 'error' in msg: sys.stderr.write('%s: %s\\n' % (name, msg['error']['desc'])); sys.exit(3)
    return msg['return']
json.loads(f.readline())
f.write('{"execute": "qmp_capabilities"}\\n'); f.flush(); answer()
# The primary's link export goes first (cut off at once), as docs/block-replication.txt's failover does.
execute('block-export-del', {'id': colo_export, 'mode': 'hard'})
while 'BLOCK_EXPORT_DELETED' not in events:
    msg = json.loads(f.readline()); events.append(msg.get('event'))
execute('xen-set-replication', {'enable': False, 'primary': False, 'failover': True})
nbd.sendall(b''.join(struct.pack('>IHHQQI', 0x25609513, 0, 1, i, off, length) + bytes([pat]) * length for i, (off, length, pat) in enumerate(writes)))
for _ in writes:
    reply_magic, error, handle = struct.unpack('>IIQ', recv(16))
    if error == 0: print('wrote %d' % writes[handle][0])
nbd.sendall(struct.pack('>IHHQQI', 0x25609513, 0, 2, 0, 0, 0))  # NBD_CMD_DISC
deadline = time.time() + 60
while True:
    nodes = execute('query-named-block-nodes', {'flat': True})
    if not any(n['drv'] == 'mirror_top' for n in nodes): break
    if time.time() > deadline: sys.stderr.write('the failover commit did not end within 60 s\\n'); sys.exit(3)
    time.sleep(0.002)
if any(n['node-name'] == 'active-disk' for n in nodes): sys.stderr.write('the failover commit did not complete\\n'); sys.exit(3)
PY
}
wait_socket() { for _ in $(seq 1 500); do [ -S "$1" ] && return 0; sleep 0.01; done; echo "no QMP socket $1" >&2; exit 3; }

# One trial; sets LOST and WRITTEN.
trial() {
  local d; d="$(mktemp -d)"; cp "$cmds"/* "$d"/
  # Raw disks all holes (truncate): qemu-img create would allocate the first block, which the hidden disk then copies as data.
  truncate -s "$SIZE" "$d/primary-disk.raw" "$d/secondary-disk.raw"
  "$IMG" create -q -f qcow2 "$d/hidden-disk.qcow2" "$SIZE"; "$IMG" create -q -f qcow2 "$d/active-disk.qcow2" "$SIZE"
  "$QEMU" -M none -nodefaults -no-user-config -display none -qmp "unix:$d/s.qmp,server=on,wait=off" >"$d/s.log" 2>&1 & local spid=$!
  "$QEMU" -M none -nodefaults -no-user-config -display none -qmp "unix:$d/p.qmp,server=on,wait=off" >"$d/p.log" 2>&1 & local ppid=$!
  wait_socket "$d/s.qmp"; wait_socket "$d/p.qmp"
  qmp "$d/s.qmp" \\
    '{"execute": "nbd-server-start", "arguments": {"addr": {"type": "unix", "data": {"path": "'"$d"'/s.nbd"}}}}' \\
    '{"execute": "blockdev-add", "arguments": {"driver": "raw", "node-name": "secondary-disk", "file": {"driver": "file", "filename": "'"$d"'/secondary-disk.raw"}}}' \\
    '{"execute": "block-export-add", "arguments": {"type": "nbd", "id": "colo1", "node-name": "secondary-disk", "name": "colo1", "writable": true}}' \\
    '{"execute": "block-export-add", "arguments": {"type": "nbd", "id": "secondary-disk", "node-name": "secondary-disk", "name": "secondary-disk", "writable": true}}' \\
    '{"execute": "blockdev-add", "arguments": {"driver": "replication", "node-name": "replication-secondary", "mode": "secondary", "top-id": "replication-secondary", "file": {"driver": "qcow2", "node-name": "active-disk"'"$QCOW2_OPTS"', "file": {"driver": "file", "filename": "'"$d"'/active-disk.qcow2"}, "backing": {"driver": "qcow2", "node-name": "hidden-disk"'"$QCOW2_OPTS"', "file": {"driver": "file", "filename": "'"$d"'/hidden-disk.qcow2"}, "backing": "secondary-disk"}}}}' \\
    '{"execute": "block-export-add", "arguments": {"type": "nbd", "id": "secondary-vm", "node-name": "replication-secondary", "name": "secondary-vm", "writable": true}}' >/dev/null
  qmp "$d/p.qmp" \\
    '{"execute": "nbd-server-start", "arguments": {"addr": {"type": "unix", "data": {"path": "'"$d"'/p.nbd"}}}}' \\
    '{"execute": "blockdev-add", "arguments": {"driver": "raw", "node-name": "primary-disk", "file": {"driver": "file", "filename": "'"$d"'/primary-disk.raw"}}}' \\
    '{"execute": "blockdev-add", "arguments": {"driver": "quorum", "node-name": "quorum", "vote-threshold": 1, "read-pattern": "fifo", "children": ["primary-disk"]}}' \\
    '{"execute": "blockdev-add", "arguments": {"driver": "replication", "node-name": "replication-primary", "mode": "primary", "file": {"driver": "nbd", "node-name": "link", "server": {"type": "unix", "path": "'"$d"'/s.nbd"}, "export": "colo1"}}}' \\
    '{"execute": "x-blockdev-change", "arguments": {"parent": "quorum", "node": "replication-primary"}}' \\
    '{"execute": "block-export-add", "arguments": {"type": "nbd", "id": "primary-vm", "node-name": "quorum", "name": "primary-vm", "writable": true}}' \\
    '{"execute": "block-export-add", "arguments": {"type": "nbd", "id": "primary-disk", "node-name": "primary-disk", "name": "primary-disk", "writable": false}}' \\
    '{"execute": "block-export-add", "arguments": {"type": "nbd", "id": "replication-primary", "node-name": "replication-primary", "name": "replication-primary", "writable": false}}' >/dev/null
  # Replication starts once both graphs are built: the secondary first, as COLO does.
  qmp "$d/s.qmp" '{"execute": "xen-set-replication", "arguments": {"enable": true, "primary": false}}' >/dev/null
  qmp "$d/p.qmp" '{"execute": "xen-set-replication", "arguments": {"enable": true, "primary": true}}' >/dev/null
  # The primary VM's writes (each leaves a copy-on-write cluster in the hidden disk).
  "$IO" -f raw "nbd+unix:///primary-vm?socket=$d/p.nbd" <"$d/primary.cmds" >/dev/null
  # Failover: the primary dies, its link export goes, the secondary takes over; the writes go right after the reply.
  kill -9 "$ppid"; wait "$ppid" 2>/dev/null || true
  race "$d/s.qmp" "$d/s.nbd" secondary-vm "$d/checks" secondary-disk colo1 >"$d/svm.out" || { kill -9 "$spid"; exit 3; }
  # Every acknowledged write must be on the secondary disk now: read back through its own export of the running secondary.
  local written=0 lost=0 reads=()
  while read -r offset length pattern; do
    grep -qx "wrote $offset" "$d/svm.out" || continue
    written=$((written + 1)); reads+=(-c "read -P $pattern $offset $length")
  done <"$d/checks"
  if [ "$written" -gt 0 ]; then
    "$IO" -f raw -r "nbd+unix:///secondary-disk?socket=$d/s.nbd" "\${reads[@]}" >"$d/read.out" 2>&1 || true
    grep -q 'read [0-9]*/[0-9]* bytes' "$d/read.out" || { echo "qemu-io could not read the secondary disk:" >&2; cat "$d/read.out" >&2; kill -9 "$spid"; exit 3; }
    while read -r offset; do
      lost=$((lost + 1)); echo "  lost: the acknowledged write at offset $offset reads back otherwise"
    done < <(sed -n 's/^Pattern verification failed at offset \\([0-9]*\\),.*/\\1/p' "$d/read.out")
  fi
  qmp "$d/s.qmp" '{"execute": "quit"}' >/dev/null || true; wait "$spid" 2>/dev/null || true
  rm -rf "$d"
  LOST=$lost; WRITTEN=$written
}

cmds="$(mktemp -d)"; trap 'rm -rf "$cmds"' EXIT
cat >"$cmds/primary.cmds" <<'CMDS'
${primary}
CMDS
cat >"$cmds/checks" <<'CMDS'
${checks}
CMDS
"$QEMU" --version | head -n 1
total_lost=0; total_written=0; lossy=0
for t in $(seq 1 "$TRIALS"); do
  trial
  echo "trial $t: $LOST/$WRITTEN acknowledged writes lost"
  total_lost=$((total_lost + LOST)); total_written=$((total_written + WRITTEN))
  if [ "$LOST" -gt 0 ]; then lossy=$((lossy + 1)); [ "\${STOP_ON_LOSS:-0}" = 1 ] && { TRIALS=$t; break; }; fi
done
echo "$lossy/$TRIALS trials lost data, $total_lost/$total_written acknowledged writes lost"
[ "$total_lost" -eq 0 ]
`;
}
