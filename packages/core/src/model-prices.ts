// List prices of the models Tandem knows, so a cost can be put on tokens when nobody sent one: the
// assistant's own runs (apps/worker) and OTLP GenAI telemetry without a cost (apps/server/src/http/otlp).

/** USD per million tokens (list prices, 2025); a dated snapshot (`gpt-4o-mini-2024-07-18`) costs as its model. */
const PRICES: Record<string, { input: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
};

/** USD per million input and output tokens of a model, or null for one without a known price. */
export function priceOf(model: string): { input: number; output: number } | null {
  const name = model.replace(/^models\//, '');
  return PRICES[name] ?? PRICES[name.replace(/-(\d{4}-\d{2}-\d{2}|\d{3})$/, '')] ?? null;
}

/** Cost in USD, or null for a model without a known price (a local server, a new model). */
export function costOf(model: string, promptTokens: number, completionTokens: number): number | null {
  const price = priceOf(model);
  return price && costAt(price, promptTokens, completionTokens);
}

/** Cost in USD at a price from priceOf (callers pricing many samples look the model up once). */
export const costAt = (price: { input: number; output: number }, promptTokens: number, completionTokens: number): number =>
  Math.round((promptTokens * price.input + completionTokens * price.output) * 1000) / 1e9;
