// Renames the module's imports from the JS glue to short names, in the wasm and in the glue
// alike: the module `./index_bg.js` becomes `g`, and each function a number. wasm-bindgen names each
// import after its JS function plus a 16-digit hash (`__wbg_append_ba9a4dc30a0323fd`, about 190 of
// them): the hashes do not compress, and the import section was 3.5 KB of the gzip. The glue only
// uses these names as the keys of the object it hands to `WebAssembly.Instance`, so renaming both
// sides changes nothing else.
// Usage: node scripts/shorten_wasm_imports.mjs build/index_bg.wasm build/index.js
import { readFileSync, writeFileSync } from 'node:fs';
import { readLeb } from './wasm_leb.mjs';

const [wasmFile, jsFile] = process.argv.slice(2);
const bytes = readFileSync(wasmFile);
let js = readFileSync(jsFile, 'utf8');
const GLUE = './index_bg.js';
const SHORT_GLUE = 'g';

const leb = (pos) => readLeb(bytes, pos);
function encodeLeb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}
const str = (text) => {
  const encoded = Buffer.from(text, 'utf8');
  return Buffer.concat([encodeLeb(encoded.length), encoded]);
};

// The import object's keys in the glue: `"./index_bg.js":{__proto__:null,name:function…`.
const start = js.indexOf(`"${GLUE}":{`);
if (start < 0) throw new Error(`${jsFile}: no import object for ${GLUE}`);

const out = [bytes.subarray(0, 8)];
let renamed = 0;
for (let pos = 8; pos < bytes.length;) {
  const sectionStart = pos;
  const id = bytes[pos];
  const [size, body] = leb(pos + 1);
  pos = body + size;
  if (id !== 2) {
    out.push(bytes.subarray(sectionStart, pos));
    continue;
  }
  let [count, at] = leb(body);
  const entries = [encodeLeb(count)];
  for (let i = 0; i < count; i += 1) {
    const [moduleLength, moduleAt] = leb(at);
    const module = bytes.subarray(moduleAt, moduleAt + moduleLength).toString('utf8');
    const [nameLength, nameAt] = leb(moduleAt + moduleLength);
    const name = bytes.subarray(nameAt, nameAt + nameLength).toString('utf8');
    let descriptorEnd = nameAt + nameLength;
    // The import's kind and type: function (type index), table, memory, global or tag.
    const kind = bytes[descriptorEnd];
    descriptorEnd += 1;
    if (kind === 0x00) {
      descriptorEnd = leb(descriptorEnd)[1];
    } else if (kind === 0x01) {
      descriptorEnd += 1;
      const flags = bytes[descriptorEnd];
      descriptorEnd = leb(descriptorEnd + 1)[1];
      if (flags & 1) descriptorEnd = leb(descriptorEnd)[1];
    } else if (kind === 0x02) {
      const flags = bytes[descriptorEnd];
      descriptorEnd = leb(descriptorEnd + 1)[1];
      if (flags & 1) descriptorEnd = leb(descriptorEnd)[1];
    } else if (kind === 0x03) {
      descriptorEnd += 2;
    } else if (kind === 0x04) {
      descriptorEnd += 1;
      descriptorEnd = leb(descriptorEnd)[1];
    } else {
      throw new Error(`${wasmFile}: unknown import kind ${kind}`);
    }
    const descriptor = bytes.subarray(nameAt + nameLength, descriptorEnd);
    let newName = name;
    if (module === GLUE) {
      newName = renamed.toString(36);
      renamed += 1;
      const key = new RegExp(`([{,])${name}:`, 'g');
      const matches = js.slice(start).match(key) ?? [];
      if (matches.length !== 1) {
        throw new Error(`${jsFile}: import ${name} found ${matches.length} times in the glue`);
      }
      js = js.slice(0, start) + js.slice(start).replace(key, `$1${JSON.stringify(newName)}:`);
    }
    entries.push(str(module === GLUE ? SHORT_GLUE : module), str(newName), descriptor);
    at = descriptorEnd;
  }
  const section = Buffer.concat(entries);
  out.push(Buffer.from([2]), encodeLeb(section.length), section);
}
js = js.slice(0, start) + JSON.stringify(SHORT_GLUE) + js.slice(start + GLUE.length + 2);
writeFileSync(wasmFile, Buffer.concat(out));
writeFileSync(jsFile, js);
console.error(`${wasmFile}: ${renamed} imports from ${GLUE} renamed`);
