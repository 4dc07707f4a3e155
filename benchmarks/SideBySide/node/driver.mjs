// Drives one Node.js ComfyUI client through one side-by-side workload and prints {"runs":[seconds,...]} as one JSON line.
// usage: node driver.mjs <saintno|stablecanvas> <objectinfo|burst|prompts> <baseUrl> <runs> [key=value ...]
// The clients are used as installed packages, through their documented APIs only.
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const [clientName, workload, baseUrl, runsText, ...rest] = process.argv.slice(2);
const params = Object.fromEntries(rest.map((kv) => kv.split("=")));
const runs = Number(runsText);
const url = new URL(baseUrl);
const RUN_TIMEOUT_MS = Number(params.timeout ?? 120000);

const prompt = {
  1: { class_type: "EmptyImage", inputs: { width: 64, height: 48, batch_size: 1, color: 3368652 } },
  2: { class_type: "SaveImage", inputs: { images: ["1", 0], filename_prefix: "sdk_test/empty" } },
};

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function triggerBurst(clientId, progress, previews, size) {
  // The socket may not be registered on the server yet: retry briefly.
  for (let i = 0; i < 500; i++) {
    const res = await fetch(`${baseUrl}/bench/burst?clientId=${encodeURIComponent(clientId)}&progress=${progress}&previews=${previews}&size=${size}`, { method: "POST" });
    if (res.status === 202) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the server never saw the client's socket");
}

async function runConcurrent(total, concurrency, one) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// ---------- @saintno/comfyui-sdk ----------
async function saintno() {
  const { ComfyApi, CallWrapper, PromptBuilder } = await import("@saintno/comfyui-sdk");
  const clientId = `saintno-${process.pid}`;
  const api = new ComfyApi(baseUrl, clientId, { customWebSocketImpl: WebSocket });
  await withTimeout(api.init(1, 100).waitForReady(), "init");
  const builder = new PromptBuilder(prompt, [], ["images"]).setOutputNode("images", "2");
  return {
    close: () => api.destroy(),
    objectinfo: async (count) => {
      for (let i = 0; i < count; i++) {
        const defs = await api.getNodeDefs();
        if (!defs || !defs.KSampler) throw new Error("no object_info");
      }
    },
    burst: async (progress, previews, size) => {
      let seenProgress = 0;
      let seenPreviews = 0;
      const done = new Promise((resolve) => {
        const offs = [
          api.on("progress", (ev) => { if (ev.detail.max > 0) seenProgress++; }),
          api.on("b_preview", (ev) => { if (ev.detail.size > 0) seenPreviews++; }),
          api.on("execution_success", (ev) => {
            if (ev.detail.prompt_id === "burst-end") { offs.forEach((off) => off()); resolve(); }
          }),
        ];
      });
      await triggerBurst(clientId, progress, previews, size);
      await withTimeout(done, "burst");
      if (seenProgress !== progress || seenPreviews !== previews) throw new Error(`burst: got ${seenProgress} progress, ${seenPreviews} previews`);
    },
    prompts: async (total, concurrency) => {
      await runConcurrent(total, concurrency, async () => {
        const result = await withTimeout(new CallWrapper(api, builder).run(), "prompt");
        if (!result || !result.images) throw new Error("a prompt did not succeed: " + JSON.stringify(result));
      });
    },
  };
}

// ---------- @stable-canvas/comfyui-client ----------
async function stablecanvas() {
  const { Client } = await import("@stable-canvas/comfyui-client");
  const clientId = `stablecanvas-${process.pid}`;
  const client = new Client({ api_host: url.host, ssl: false, clientId, WebSocket, fetch: globalThis.fetch.bind(globalThis) });
  const connected = new Promise((resolve) => client.events.on("status", () => resolve()));
  client.connect();
  await withTimeout(connected, "connect");
  return {
    close: () => client.close(),
    objectinfo: async (count) => {
      for (let i = 0; i < count; i++) {
        const defs = await client.getNodeDefs();
        if (!defs || !defs.KSampler) throw new Error("no object_info");
      }
    },
    burst: async (progress, previews, size) => {
      let seenProgress = 0;
      let seenPreviews = 0;
      const done = new Promise((resolve) => {
        const offs = [
          client.on("progress", (data) => { if (data.max > 0) seenProgress++; }),
          client.on("b_preview", (blob) => { if (blob.size > 0) seenPreviews++; }),
          client.on("execution_success", (data) => {
            if (data.prompt_id === "burst-end") { offs.forEach((off) => off()); resolve(); }
          }),
        ];
      });
      await triggerBurst(clientId, progress, previews, size);
      await withTimeout(done, "burst");
      if (seenProgress !== progress || seenPreviews !== previews) throw new Error(`burst: got ${seenProgress} progress, ${seenPreviews} previews`);
    },
    prompts: async (total, concurrency) => {
      await runConcurrent(total, concurrency, async () => {
        const result = await withTimeout(client.enqueue(prompt), "prompt");
        if (!result || !result.prompt_id) throw new Error("a prompt did not succeed");
      });
    },
  };
}

const driver = clientName === "saintno" ? await saintno() : await stablecanvas();
const work = {
  objectinfo: () => driver.objectinfo(Number(params.count ?? 200)),
  burst: () => driver.burst(Number(params.progress ?? 100000), Number(params.previews ?? 1000), Number(params.size ?? 65536)),
  prompts: () => driver.prompts(Number(params.count ?? 500), Number(params.concurrency ?? 1)),
}[workload];

const times = [];
try {
  for (let i = 0; i < Number(params.warmup ?? 1); i++) await work(); // warm-up, not counted
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push((performance.now() - start) / 1000);
  }
  console.log(JSON.stringify({ runs: times }));
} catch (error) {
  console.log(JSON.stringify({ runs: times, error: String(error && error.stack ? error.stack.split("\n")[0] : error) }));
} finally {
  try { driver.close(); } catch { /* closing is best effort */ }
  setTimeout(() => process.exit(0), 50);
}
