// What every tool returns: its data, a short summary for the model, and an optional chart hint
// that the web client renders (uPlot for line/bar, a table, or a single figure).
import { z } from 'zod';

export const chartHintSchema = z.object({
  kind: z.enum(['line', 'bar', 'table', 'stat']),
  /** Field of each data row used for the x axis (or the row label of a table). */
  x: z.string(),
  /** Fields of each data row plotted as series (or shown as table columns). */
  series: z.array(z.string()),
  title: z.string().optional(),
});
export type ChartHint = z.infer<typeof chartHintSchema>;

export const toolResultSchema = z.object({
  data: z.unknown(),
  chart: chartHintSchema.optional(),
  summary: z.string(),
});
export type ToolResult = z.infer<typeof toolResultSchema>;
