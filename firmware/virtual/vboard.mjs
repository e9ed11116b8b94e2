// The virtual board's VM side: the real firmware (firmware/*.py) in the MicroPython
// WebAssembly VM (npm @micropython/micropython-webassembly-pyscript), run under Node by
// roboarena's sims/virtual_board.py, which owns the pseudo-terminal and the simulation.
//
// Channel: stdin carries messages from Python, stdout carries messages to Python; each is
// one type byte, a uint32 little-endian length and the payload. Every call is synchronous
// (fs.readSync / fs.writeSync), so the firmware's loop can ask the simulation for its
// readings in the middle of a Python call in the VM.
//   to Python:   O bytes       bytes the board sends on its serial line (REPL output cooked: \n -> \r\n)
//                A json        the board object attached (buffer formats, for checking)
//                S out-bytes   one loop step: uint16 ms, then the outputs buffer; answered with S
//                R             the REPL waits for input; answered with R
//                E json        an event (soft reboot, mode changes, errors) for the log
//   from Python: C json        the configuration, once at start
//                S bytes       uint8 readings length, the readings buffer, then received bytes
//                R bytes       received bytes (at least one)
// Ctrl-C arriving while the VM's interrupt character is on schedules a KeyboardInterrupt
// in the VM, as a board's UART interrupt does. When stdin closes, the process exits.

import fs from "node:fs";
import path from "node:path";

// Nothing but channel messages may reach stdout: Emscripten prints through console.log.
console.log = console.error;

const IN_FD = 0;
const OUT_FD = 1;
const BANNER_BOARD = "roboarena virtual board with WebAssembly";
const SKIP_DIRS = new Set(["/dev", "/proc"]);   // Emscripten's own, not the board's flash
const idleWait = new Int32Array(new SharedArrayBuffer(4));

// Emscripten reports file errors with WASI numbers (ENOENT is 44); MicroPython's errno
// module and mpremote expect the usual ones (ENOENT is 2). Translate at the os/open calls.
// Its directory listings also lack the size a board's filesystem gives (mpremote fs ls).
const BOOT_FIX = `
def _fix():
    import os, builtins
    table = {44: 2, 20: 17, 54: 20, 31: 21, 55: 39, 28: 22, 63: 1, 51: 28, 69: 30, 8: 9, 10: 16, 75: 18}
    def wrap(call):
        def checked(*args):
            try:
                return call(*args)
            except OSError as exc:
                if exc.errno in table:
                    raise OSError(table[exc.errno])
                raise
        return checked
    for name in ("stat", "listdir", "remove", "unlink", "rmdir", "mkdir", "rename", "chdir", "statvfs"):
        setattr(os, name, wrap(getattr(os, name)))
    builtins.open = wrap(builtins.open)
    listing = wrap(os.ilistdir)
    def ilistdir(*args):
        folder = (args[0] if args else "") or "."
        for entry in listing(*args):
            size = 0
            if entry[1] == 0x8000:
                try:
                    size = os.stat(folder + "/" + entry[0])[6]
                except OSError:
                    pass
            yield (entry[0], entry[1], entry[2], size)
    os.ilistdir = ilistdir
_fix()
del _fix
`;

const RUN_FILE = (file) => `
def _run(path):
    import sys
    try:
        with open(path) as f:
            source = f.read()
    except OSError:
        return
    try:
        exec(compile(source, path, "exec"), {"__name__": "__main__"})
    except SystemExit:
        pass
    except BaseException as exc:
        sys.print_exception(exc)
_run(${JSON.stringify(file)})
del _run
`;

// --- the channel to Python ---------------------------------------------------------------
function readExact(n) {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    let count;
    try {
      count = fs.readSync(IN_FD, buf, got, n - got, null);
    } catch (err) {
      if (err.code === "EAGAIN") { Atomics.wait(idleWait, 0, 0, 2); continue; }
      if (err.code === "EOF") count = 0; else throw err;
    }
    if (count === 0) process.exit(0);     // Python (or the pty's owner) has gone: so do we
    got += count;
  }
  return buf;
}

function readMessage() {
  const head = readExact(5);
  const length = head.readUInt32LE(1);
  return [String.fromCharCode(head[0]), length ? readExact(length) : Buffer.alloc(0)];
}

function writeAll(buf) {
  let done = 0;
  while (done < buf.length) {
    try {
      done += fs.writeSync(OUT_FD, buf, done, buf.length - done);
    } catch (err) {
      if (err.code === "EAGAIN") { Atomics.wait(idleWait, 0, 0, 2); continue; }
      process.exit(0);                    // EPIPE: Python has gone
    }
  }
}

function send(type, payload = Buffer.alloc(0)) {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32LE(payload.length, 1);
  writeAll(Buffer.concat([head, payload]));
}

// --- bytes the board sends ----------------------------------------------------------------
let outBytes = [];
let lastOut = 0;
let quiet = false;                        // output of a soft reboot's set-up, not shown

function stdoutByte(byte) {              // print() and the REPL: cooked like a board's UART
  if (quiet) return;
  if (byte === 10 && lastOut !== 13) outBytes.push(13);
  outBytes.push(byte);
  lastOut = byte;
  if (outBytes.length >= 4096) flushOut();
}

function rawOut(bytes) {                 // the firmware's serial_write: binary, as is
  for (const b of bytes) outBytes.push(b);
  if (bytes.length) lastOut = bytes[bytes.length - 1];
  if (outBytes.length >= 4096) flushOut();
}

function flushOut() {
  if (outBytes.length) {
    send("O", Buffer.from(outBytes));
    outBytes = [];
  }
}

function event(fields) {
  flushOut();
  send("E", Buffer.from(JSON.stringify(fields)));
}

// --- the VM --------------------------------------------------------------------------------
const config = (() => {
  const [type, payload] = readMessage();
  if (type !== "C") throw new Error(`expected the configuration first, got ${type}`);
  return JSON.parse(payload.toString("utf8"));
})();
const { loadMicroPython } = await import(config.micropython_module
  || "@micropython/micropython-webassembly-pyscript/micropython.mjs");

let mp = null;
let M = null;                             // the Emscripten module of the current VM
let inbox = [];                           // received bytes not yet taken by the firmware or the REPL
let attached = null;                      // {io, outSize, inSize, rx, rxSize}
const delivered = new Array(4096);        // the bytes of the last step, for unread()
let deliveredCount = 0;

const hw = {
  board_id: config.board.board_id,
  capabilities: config.board.capabilities,
  max_speed: config.board.max_speed,
  counts_per_mm: config.board.counts_per_mm,
  axle_track_mm: config.board.axle_track_mm,

  attach(io, outSize, inSize, rx, rxSize, outFormat, inFormat) {
    attached = { io, outSize, inSize, rx, rxSize };
    event({ event: "attach", outputs: outFormat, readings: inFormat });
    send("A", Buffer.from(JSON.stringify({ outputs: outFormat, readings: inFormat })));
  },

  write(address, length) {
    const bytes = new Array(length);
    for (let i = 0; i < length; i++) bytes[i] = M.getValue(address + i, "i8") & 0xff;
    rawOut(bytes);
  },

  step(ms, deliver) {
    const a = attached;
    const message = Buffer.alloc(2 + a.outSize);
    message.writeUInt16LE(ms, 0);
    for (let i = 0; i < a.outSize; i++) message[2 + i] = M.getValue(a.io + i, "i8") & 0xff;
    flushOut();
    send("S", message);
    const [type, reply] = readMessage();
    if (type !== "S") throw new Error(`expected a step reply, got ${type}`);
    const inSize = reply[0];
    for (let i = 0; i < inSize && i < a.inSize; i++) M.setValue(a.io + a.outSize + i, reply[1 + i], "i8");
    for (let i = 1 + inSize; i < reply.length; i++) inbox.push(reply[i]);
    if (!deliver) return 0;
    // Hand over the received bytes. While the interrupt character is on, it stops the
    // running code as a board's UART interrupt does (the firmware's loop switches it off).
    const interrupt = M._mp_hal_get_interrupt_char();
    let count = 0;
    while (count < a.rxSize && inbox.length) {
      const byte = inbox.shift();
      if (byte === interrupt) {
        M._mp_sched_keyboard_interrupt();
        break;
      }
      delivered[count] = byte;
      M.setValue(a.rx + count, byte, "i8");
      count++;
    }
    deliveredCount = count;
    return count;
  },

  unread(taken) {                         // the board read only ``taken`` bytes of the last step
    if (taken < deliveredCount) inbox.unshift(...delivered.slice(taken, deliveredCount));
    deliveredCount = taken;
  },
};

function readFiles(folder, names, extra) {
  const files = {};
  for (const name of names) files["/" + name] = fs.readFileSync(path.join(folder, name));
  for (const [name, text] of Object.entries(extra || {})) files["/" + name] = Buffer.from(text, "utf8");
  return files;
}

function snapshot() {                     // the board's files, kept over a soft reboot
  const files = {};
  const walk = (dir) => {
    for (const name of M.FS.readdir(dir)) {
      if (name === "." || name === "..") continue;
      const full = dir === "/" ? "/" + name : dir + "/" + name;
      if (SKIP_DIRS.has(full)) continue;
      const stat = M.FS.stat(full);
      if (M.FS.isDir(stat.mode)) { files[full + "/"] = null; walk(full); }
      else files[full] = M.FS.readFile(full);
    }
  };
  walk("/");
  return files;
}

async function boot(files) {
  mp = await loadMicroPython({ stdout: (bytes) => { for (const b of bytes) stdoutByte(b); }, linebuffer: false,
                               heapsize: config.heap_bytes, pystack: config.pystack || 2048 });
  M = mp._module;
  attached = null;
  for (const dir of ["/home/web_user", "/home", "/tmp"]) {   // Emscripten's, empty: a board has no such folders
    try { M.FS.rmdir(dir); } catch (err) { /* already gone */ }
  }
  for (const [name, data] of Object.entries(files)) {
    if (data === null) M.FS.mkdir(name.slice(0, -1));
    else M.FS.writeFile(name, data);
  }
  mp.registerJsModule("ra_hw", hw);
  mp.runPython(BOOT_FIX);
}

function runFile(file) {                  // boot.py, main.py: as a board runs them
  try {
    mp.runPython(RUN_FILE(file));
  } catch (err) {
    stdoutByte(10);
    for (const b of Buffer.from(String(err.message || err))) stdoutByte(b);
    stdoutByte(10);
  }
}

function banner() {
  const text = `MicroPython v1.27.0 on 2025-12-10; ${BANNER_BOARD}\r\nType "help()" for more information.\r\n`;
  for (const b of Buffer.from(text)) stdoutByte(b);
}

// --- the REPL, fed from the serial line ----------------------------------------------------
let rawMode = false;                      // in the raw REPL (Ctrl-A)
let rawLineEmpty = true;
let pendingPaste = [];                    // Ctrl-E A ... of a raw-paste request, held back

function nextInput() {
  while (!inbox.length) {
    flushOut();
    send("R");
    const [type, data] = readMessage();
    if (type !== "R") throw new Error(`expected input, got ${type}`);
    for (const b of data) inbox.push(b);
  }
  return inbox.shift();
}

async function feed(byte) {
  const result = await mp.replProcessCharWithAsyncify(byte);
  if (byte === 1) { rawMode = true; rawLineEmpty = true; }
  else if (byte === 2) rawMode = false;
  else if (rawMode) rawLineEmpty = byte === 4 || byte === 3;
  return result;
}

async function softReboot() {
  const files = snapshot();
  const wasRaw = rawMode;
  flushOut();
  for (const b of Buffer.from("MPY: soft reboot\r\n")) stdoutByte(b);
  event({ event: "soft-reboot", raw: wasRaw });
  await boot(files);
  if (wasRaw) {
    quiet = true;                         // a board in raw mode comes back in raw mode, without a banner
    mp.replInit();
    await feed(1);
    quiet = false;
    for (const b of Buffer.from("raw REPL; CTRL-B to exit\r\n>")) stdoutByte(b);
    return;
  }
  await startBoard(false);
}

async function startBoard(first) {
  if (first) await boot(readFiles(config.firmware_dir, config.files, config.extra_files));
  event({ event: "firmware" });
  if (M.FS.analyzePath("/boot.py").exists) runFile("/boot.py");
  runFile("/main.py");                    // runs the firmware's loop until Ctrl-C
  event({ event: "repl" });
  banner();
  quiet = true;
  mp.replInit();                          // prints the VM's own banner: ours says which board this is
  quiet = false;
  for (const b of Buffer.from(">>> ")) stdoutByte(b);
  rawMode = false;
  rawLineEmpty = true;
}

await startBoard(true);
for (;;) {
  const byte = nextInput();
  // mpremote asks for raw-paste mode (Ctrl-E A Ctrl-A) at the start of a raw REPL line;
  // the VM's event-driven REPL cannot do it, so say "not supported" (R\x00) for it.
  if (rawMode && rawLineEmpty && (pendingPaste.length || byte === 5)) {
    pendingPaste.push(byte);
    const want = [5, 65, 1];
    if (pendingPaste.every((b, i) => b === want[i])) {
      if (pendingPaste.length === 3) {
        pendingPaste = [];
        for (const b of Buffer.from("R\x00")) stdoutByte(b);
      }
      continue;
    }
    const held = pendingPaste;
    pendingPaste = [];
    for (const b of held) if (await feed(b)) { await softReboot(); break; }
    continue;
  }
  if (await feed(byte)) await softReboot();
}
