// Percentiles as the other benches take them (nearest rank, floor), rounded to 0.01 ms.

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), mean: round(mean), max: round(s[s.length - 1] ?? NaN) };
}
