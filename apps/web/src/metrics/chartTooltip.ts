// A uPlot plugin: a small box by the crosshair with the time and each visible series' value at
// the hovered bucket. Built from text nodes only: agent names come from whoever sends samples.
import type uPlot from 'uplot';

const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** At most this many rows; the rest are summed up as "+ n more". */
const MAX_ROWS = 12;

export function tooltipPlugin(format: (value: number) => string): uPlot.Plugin {
  let box: HTMLDivElement;

  function render(u: uPlot) {
    const idx = u.cursor.idx;
    const left = u.cursor.left ?? -1;
    if (idx == null || left < 0) {
      box.hidden = true;
      return;
    }
    const x = u.data[0][idx];
    const rows: { label: string; color: string; value: number; dashed: boolean }[] = [];
    u.series.forEach((series, i) => {
      if (i === 0 || !series.show) return;
      const value = u.data[i]?.[idx];
      if (value == null) return;
      rows.push({
        label: String(series.label ?? ''),
        color: typeof series.stroke === 'function' ? String(series.stroke(u, i)) : String(series.stroke ?? ''),
        value,
        dashed: Array.isArray(series.dash) && series.dash.length > 0,
      });
    });
    rows.sort((a, b) => b.value - a.value);

    const title = document.createElement('div');
    title.className = 'ts-tooltip__time';
    title.textContent = x === undefined ? '' : timeFormat.format(x * 1000);
    const children: Node[] = [title];
    for (const row of rows.slice(0, MAX_ROWS)) {
      const line = document.createElement('div');
      line.className = 'ts-tooltip__row';
      const swatch = document.createElement('span');
      swatch.className = row.dashed ? 'ts-tooltip__swatch ts-tooltip__swatch--dashed' : 'ts-tooltip__swatch';
      swatch.style.borderColor = row.color;
      const label = document.createElement('span');
      label.className = 'ts-tooltip__label';
      label.textContent = row.label;
      const value = document.createElement('span');
      value.className = 'ts-tooltip__value';
      value.textContent = format(row.value);
      line.append(swatch, label, value);
      children.push(line);
    }
    if (rows.length > MAX_ROWS) {
      const more = document.createElement('div');
      more.className = 'ts-tooltip__more';
      more.textContent = `+ ${rows.length - MAX_ROWS} more`;
      children.push(more);
    }
    if (rows.length === 0) {
      const none = document.createElement('div');
      none.className = 'ts-tooltip__more';
      none.textContent = 'No data';
      children.push(none);
    }
    box.replaceChildren(...children);
    box.hidden = false;

    // Keep the box inside the plot: right of the cursor, or left of it near the right edge.
    const overWidth = u.over.clientWidth;
    const boxWidth = box.offsetWidth;
    const top = Math.min(Math.max(0, (u.cursor.top ?? 0) - 16), Math.max(0, u.over.clientHeight - box.offsetHeight));
    box.style.transform = `translate(${left + 14 + boxWidth > overWidth ? left - boxWidth - 14 : left + 14}px, ${top}px)`;
  }

  return {
    hooks: {
      init: (u) => {
        box = document.createElement('div');
        box.className = 'ts-tooltip';
        box.hidden = true;
        u.over.appendChild(box);
        u.over.addEventListener('mouseleave', () => (box.hidden = true));
      },
      setCursor: render,
    },
  };
}
