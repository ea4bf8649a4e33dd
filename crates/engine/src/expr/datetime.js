// The Date & Time node (v2) on Luxon, written for Weft from n8n's documented behaviour.
// `__dateTimeV2(paramsJson, zone)` computes one item's value: {ok, value} or {ok: false, message}.
(function (g) {
  'use strict';
  const L = () => g.luxon;

  // n8n's parseDate: numbers as seconds (under 12 digits) or milliseconds, strings as ISO /
  // RFC 2822 / HTTP / SQL or, failing those, JavaScript's Date, then moved to `zone`.
  function parseDate(value, zone, fromFormat) {
    const { DateTime } = L();
    if (DateTime.isDateTime(value)) return value;
    let dt;
    let target = zone;
    const num = Number(value);
    if (!fromFormat && !Number.isNaN(num) && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      let n = num;
      if (!Number.isInteger(n)) n = Math.round(n * 1000);
      else if (String(n).length < 12) n = n * 1000;
      dt = DateTime.fromMillis(n, { zone: 'UTC' });
    } else if (typeof value === 'string') {
      if (!target && value.includes('+')) {
        const hh = parseInt(value.split('+')[1].slice(0, 2), 10);
        if (!Number.isNaN(hh)) target = `Etc/GMT-${hh}`;
      }
      if (fromFormat) {
        dt = DateTime.fromFormat(value, fromFormat);
      } else {
        for (const f of ['fromISO', 'fromRFC2822', 'fromHTTP', 'fromSQL']) {
          const d = DateTime[f](value, { zone: 'system' });
          if (d.isValid) { dt = d; break; }
        }
        if (!dt) {
          const ms = Date.parse(value);
          dt = Number.isNaN(ms) ? DateTime.invalid('unparsable') : DateTime.fromMillis(ms);
        }
      }
    } else {
      dt = DateTime.invalid('unparsable');
    }
    dt = dt.setZone(target || 'Etc/UTC');
    if (!dt.isValid && dt.invalidReason === 'unparsable') throw new Error('Invalid date format');
    return dt;
  }

  function compute(p, zone) {
    const { DateTime } = L();
    const op = p.operation || 'getCurrentDate';
    const o = p.options || {};
    switch (op) {
      case 'getCurrentDate': {
        const z = o.timezone ? o.timezone : zone;
        let now = DateTime.now().setZone(z);
        if (!now.isValid && now.invalidReason === 'unsupported zone') throw new Error(`The timezone ${z} is not valid. Please check the timezone.`);
        if (p.includeTime === false) now = now.startOf('day');
        return { field: p.outputFieldName || 'currentDate', value: now.toString() };
      }
      case 'addToDate':
      case 'subtractFromDate': {
        const d = parseDate(p.magnitude, zone);
        const delta = { [p.timeUnit || 'days']: Number(p.duration || 0) };
        return { field: p.outputFieldName || 'newDate', value: (op === 'addToDate' ? d.plus(delta) : d.minus(delta)).toString() };
      }
      case 'formatDate': {
        const field = p.outputFieldName || 'formattedDate';
        if (p.date === null || p.date === undefined) return { field, value: p.date === undefined ? null : p.date };
        const d = parseDate(p.date, o.timezone ? zone : undefined, o.fromFormat);
        const format = (p.format || 'MM/dd/yyyy') === 'custom' ? p.customFormat || '' : p.format || 'MM/dd/yyyy';
        return { field, value: d.toFormat(format) };
      }
      case 'roundDate': {
        const d = parseDate(p.date, zone);
        const rounded = (p.mode || 'roundDown') === 'roundUp'
          ? d.plus({ [(p.to || 'month') + 's']: 1 }).startOf(p.to || 'month')
          : d.startOf(p.toNearest || 'month');
        return { field: p.outputFieldName || 'roundedDate', value: rounded.toString() };
      }
      case 'getTimeBetweenDates': {
        const start = parseDate(p.startDate, zone), end = parseDate(p.endDate, zone);
        const units = (p.units && p.units.length ? p.units : ['day']).map((u) => u + 's');
        const diff = end.diff(start, units);
        return { field: p.outputFieldName || 'timeDifference', value: o.isoString ? diff.toString() : diff.toObject() };
      }
      case 'extractDate': {
        const d = parseDate(p.date, zone);
        const part = p.part || 'month';
        return { field: p.outputFieldName || 'datePart', value: part === 'week' ? d.weekNumber : d.get(part) };
      }
      default:
        throw new Error(`The operation "${op}" is not known`);
    }
  }

  g.__dateTimeV2 = function (json) {
    try {
      g.DateTime; // loads Luxon in the workflow zone
      const p = JSON.parse(json);
      const out = compute(p, g.__workflowZone());
      return JSON.stringify({ ok: true, field: out.field, value: out.value === undefined ? null : out.value });
    } catch (e) {
      return JSON.stringify({ ok: false, message: String(e && e.message) });
    }
  };
})(globalThis);
