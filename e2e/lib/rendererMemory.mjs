// Peak resident memory (VmHWM) of Chromium's renderer processes, read from /proc (Linux): where the page,
// its workers and onnxruntime-web's WebAssembly heap live.
import { readdirSync, readFileSync } from 'node:fs';

export function rendererPeakBytes() {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
    } catch {
      // the process ended while we read it
    }
  }
  return peak;
}
