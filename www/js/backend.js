// Which backend to train on: WebGPU when the browser offers a hardware adapter, otherwise
// burn's CPU backend (flex) compiled to wasm. A software adapter such as SwiftShader is many
// times slower than the CPU backend, so it is only used when asked for by name.

/** What WebGPU this browser offers: { ok, fallback, adapter, reason }. */
export async function probeWebGPU() {
  if (!('gpu' in navigator)) {
    return { ok: false, reason: 'this browser does not offer WebGPU' };
  }
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { ok: false, reason: `WebGPU refused an adapter (${err.message})` };
  }
  if (!adapter) return { ok: false, reason: 'WebGPU found no usable GPU adapter' };
  const info = adapter.info ?? {};
  const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  return { ok: true, fallback, adapter: name || 'unnamed adapter' };
}

/**
 * Pick a backend. `requested` is 'webgpu', 'cpu' or '' (automatic).
 * Returns { backend, reason, probe }.
 */
export async function chooseBackend(requested) {
  const probe = await probeWebGPU();
  if (requested === 'cpu') return { backend: 'cpu', reason: 'CPU was requested', probe };
  if (requested === 'webgpu') {
    if (probe.ok) return { backend: 'webgpu', reason: 'WebGPU was requested', probe };
    return { backend: 'cpu', reason: `WebGPU was requested, but ${probe.reason}`, probe };
  }
  if (!probe.ok) return { backend: 'cpu', reason: probe.reason, probe };
  if (probe.fallback) {
    return {
      backend: 'cpu',
      reason: `the WebGPU adapter (${probe.adapter}) is a software fallback, slower than the CPU backend`,
      probe,
    };
  }
  return { backend: 'webgpu', reason: `WebGPU on ${probe.adapter}`, probe };
}
