// Drops the "name" custom section (function and data names, for stack traces only) from a built
// module: about a tenth of the wasm, downloaded and parsed by every cold isolate. A panic still logs
// its message and source location. Usage: node scripts/strip_wasm_names.mjs build/index_bg.wasm
import { readFileSync, writeFileSync } from 'node:fs';
import { readLeb } from './wasm_leb.mjs';

const file = process.argv[2];
const bytes = readFileSync(file);
const leb = (pos) => readLeb(bytes, pos);

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
