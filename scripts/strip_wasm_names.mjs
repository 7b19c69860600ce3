// Drops the "name" custom section (function and data names, for stack traces only) from a built
// module: about a tenth of the wasm, downloaded and parsed by every cold isolate. A panic still logs
// its message and source location. Usage: node scripts/strip_wasm_names.mjs build/index_bg.wasm
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const bytes = readFileSync(file);
/** An unsigned LEB128 at `pos`: [value, position after it]. */
function leb(pos) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[pos];
    pos += 1;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

const kept = [bytes.subarray(0, 8)]; // magic and version
let dropped = 0;
for (let pos = 8; pos < bytes.length;) {
  const start = pos;
  const id = bytes[pos];
  const [size, body] = leb(pos + 1);
  pos = body + size;
  if (id === 0) {
    const [nameLength, name] = leb(body);
    if (bytes.subarray(name, name + nameLength).toString('utf8') === 'name') {
      dropped += pos - start;
      continue;
    }
  }
  kept.push(bytes.subarray(start, pos));
}
writeFileSync(file, Buffer.concat(kept));
console.error(`${file}: dropped ${dropped} B of names`);
