// Runs a native benchmark compiled to wasm32-wasip1 in Node's V8, the engine Chromium runs the
// site's wasm with: `node bench/wasi.mjs <file.wasm>` prints what the benchmark prints. Used by
// `cargo xtask bench` for the street's overview (crates/core/benches/linked_overview.rs), whose
// work is plain computation with no browser API in it.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const wasi = new WASI({ version: "preview1", args: ["bench"], env: {} });
const module = await WebAssembly.compile(await readFile(process.argv[2]));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
wasi.start(instance);
