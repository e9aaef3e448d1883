// Number formatting for summaries and offline answers (fixed locale so output is deterministic).
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const formatMoney = (n: number) => money.format(n);
export const formatCount = (n: number) => count.format(n);
