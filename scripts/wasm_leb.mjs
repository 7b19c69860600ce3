// The unsigned LEB128 integers of the wasm binary format, for the scripts that rewrite a built
// module's sections (strip_wasm_names.mjs, shorten_wasm_imports.mjs).

/** The unsigned LEB128 of `bytes` at `pos`: [value, position after it]. */
export function readLeb(bytes, pos) {
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
