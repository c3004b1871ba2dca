// Linli's boot: what a resident sees before the app has downloaded, and the app's start.
//
// index.html is served first; its body already reads "Linli" and a loading line. This script
// (a file, so that the Content-Security-Policy needs no inline script) puts the loading line in
// the reader's language, large if care mode is chosen, names the space the address opens if this
// device knows it, shows how much of the app has arrived, then starts the app (wasm, compiled while it streams in). It also
// holds what the page does after a panic (`window.linliRecover`, called by the app's panic hook),
// which must outlive the wasm instance. The app removes `#boot` once it draws.
const me = document.querySelector("script[data-linli-js]");

const TEXTS = {
  "zh-Hans": { loading: "正在打开邻里…", space: "正在打开「{name}」…", failed: "邻里无法加载。请检查网络后重新加载。", reload: "重新加载",
    panic: ["邻里因出错而停止。已保存的内容都在本设备上。", "正在重新加载…", "重新加载"] },
  "zh-Hant": { loading: "正在打開鄰里…", space: "正在打開「{name}」…", failed: "鄰里無法載入。請檢查網路後重新載入。", reload: "重新載入",
    panic: ["鄰里因錯誤而停止。已儲存的內容都在本裝置上。", "正在重新載入…", "重新載入"] },
  en: { loading: "Opening Linli…", space: "Opening “{name}”…", failed: "Linli could not load. Check the network, then reload.", reload: "Reload",
    panic: ["Linli stopped after an error. Everything saved is kept on this device.", "Reloading…", "Reload"] },
};

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch (_) {
    return null;
  }
}

/** The reader's language: chosen on this device, else the browser's (as the app decides). */
function language() {
  const tags = [stored("linli.lang"), ...(navigator.languages || [navigator.language])].filter(Boolean).map((t) => t.toLowerCase());
  for (const tag of tags) {
    if (["zh-hans", "zh-cn", "zh-sg", "zh"].includes(tag) || tag.startsWith("zh-hans")) return "zh-Hans";
    if (["zh-hant", "zh-tw", "zh-hk", "zh-mo"].includes(tag) || tag.startsWith("zh-hant")) return "zh-Hant";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return "en";
}

/** The name of the space the address opens, if this device has opened it before. */
function spaceName() {
  const match = location.pathname.match(/^\/[sk]\/([1-9A-HJ-NP-Za-km-z]+)/);
  if (!match) return null;
  for (const line of (stored("linli.spaces") || "").split("\n")) {
    const [id, name] = line.split("\t");
    if (id === match[1] && name) return name;
  }
  return null;
}

const lang = language();
const say = TEXTS[lang];
document.documentElement.lang = lang;
// Care mode (larger text and buttons), as chosen on this device: large from the first frame.
if (stored("linli.care") === "on") document.documentElement.classList.add("care");
const line = document.getElementById("boot-line");
const bar = document.getElementById("boot-progress");
const name = spaceName();
if (line) line.textContent = name ? say.space.replace("{name}", name) : say.loading;

/** The app's wasm, counted as it arrives (its size uncompressed is in `data-linli-size`). */
async function fetchCounted(url) {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`);
  const size = Number(me.dataset.linliSize) || 0;
  let seen = 0;
  const reader = response.body.getReader();
  const stream = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      seen += value.length;
      if (bar && size) bar.value = Math.min(1, seen / size);
      controller.enqueue(value);
    },
  });
  return new Response(stream, { headers: { "Content-Type": "application/wasm" } });
}

/**
 * After a panic the wasm instance is dead (wasm32 cannot unwind). Every change the page showed as
 * saved is in IndexedDB, so the page says so and reloads itself from there. A kiosk (unattended)
 * always reloads, in five seconds. Any other page reloads in two, unless it already did so after
 * a panic in the last minute: then it waits for a press of "Reload" rather than loop. It acts on
 * the first panic only (later ones are its echoes).
 */
window.linliRecover = function () {
  if (window.linliPanicked) return;
  window.linliPanicked = true;
  const kiosk = location.pathname.startsWith("/k/");
  const now = Date.now();
  let last = 0;
  try {
    last = Number(sessionStorage.getItem("linli.panic-reload")) || 0;
    sessionStorage.setItem("linli.panic-reload", String(now));
  } catch (_) {}
  const auto = kiosk || now - last > 60000;
  const words = (TEXTS[document.documentElement.lang] || TEXTS.en).panic;
  const note = document.createElement("div");
  note.className = "panic-notice error";
  note.setAttribute("role", "alert");
  note.textContent = words[0] + " ";
  if (auto) {
    note.append(words[1]);
    setTimeout(() => location.reload(), kiosk ? 5000 : 2000);
  } else {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = words[2];
    button.onclick = () => location.reload();
    note.append(button);
  }
  document.body.prepend(note);
};

try {
  const bindings = await import(me.dataset.linliJs);
  const wasm = await bindings.default({ module_or_path: fetchCounted(me.dataset.linliWasm) });
  // The benchmarks read the page's wasm memory from it (tests/e2e/bench/browser.mjs).
  dispatchEvent(new CustomEvent("linli-started", { detail: { wasm } }));
} catch (error) {
  console.error(error);
  if (line) {
    line.textContent = say.failed + " ";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = say.reload;
    button.onclick = () => location.reload();
    line.append(button);
  }
}
