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

  // ---- v1 (moment formats translated to Luxon) ----
  const TOKENS = [
    ['YYYY', 'yyyy'], ['YY', 'yy'], ['Y', 'y'], ['Q', 'q'], ['MMMM', 'MMMM'], ['MMM', 'MMM'], ['MM', 'MM'], ['M', 'M'],
    ['DDDD', 'ooo'], ['DDD', 'o'], ['Do', null], ['DD', 'dd'], ['D', 'd'], ['dddd', 'cccc'], ['ddd', 'ccc'], ['dd', null], ['d', null],
    ['E', 'E'], ['GGGG', 'kkkk'], ['WW', 'WW'], ['W', 'W'], ['HH', 'HH'], ['H', 'H'], ['hh', 'hh'], ['h', 'h'], ['kk', null], ['k', null],
    ['mm', 'mm'], ['m', 'm'], ['ss', 'ss'], ['s', 's'], ['SSS', 'SSS'], ['SS', null], ['S', null], ['A', 'a'], ['a', null],
    ['ZZ', 'ZZZ'], ['Z', 'ZZ'], ['zz', 'ZZZZ'], ['z', 'ZZZZ'], ['X', 'X'], ['x', 'x'],
    ['LLLL', "cccc, MMMM d, yyyy h:mm a"], ['LLL', 'MMMM d, yyyy h:mm a'], ['LL', 'MMMM d, yyyy'], ['LTS', 'h:mm:ss a'], ['LT', 'h:mm a'], ['L', 'MM/dd/yyyy'],
  ];
  const quote = (t) => `'${t.replace(/'/g, "''")}'`;
  function momentFormat(dt, fmt) {
    let out = '';
    let i = 0;
    const suffix = (n) => (n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th');
    while (i < fmt.length) {
      if (fmt[i] === '[') {
        const end = fmt.indexOf(']', i);
        const lit = end < 0 ? fmt.slice(i + 1) : fmt.slice(i + 1, end);
        out += lit;
        i = end < 0 ? fmt.length : end + 1;
        continue;
      }
      const hit = TOKENS.find(([m]) => fmt.startsWith(m, i));
      if (!hit) { out += fmt[i]; i++; continue; }
      const [m, l] = hit;
      i += m.length;
      if (l !== null) { out += dt.toFormat(l); continue; }
      switch (m) {
        case 'Do': out += dt.day + suffix(dt.day); break;
        case 'dd': out += dt.toFormat('ccc').slice(0, 2); break;
        case 'd': out += String(dt.weekday % 7); break;
        case 'kk': out += String(dt.hour || 24).padStart(2, '0'); break;
        case 'k': out += String(dt.hour || 24); break;
        case 'SS': out += dt.toFormat('SSS').slice(0, 2); break;
        case 'S': out += dt.toFormat('SSS').slice(0, 1); break;
        case 'a': out += dt.toFormat('a').toLowerCase(); break;
        default: break;
      }
    }
    return out;
  }
  function momentToLuxon(fmt) {
    let out = '';
    let i = 0;
    while (i < fmt.length) {
      if (fmt[i] === '[') {
        const end = fmt.indexOf(']', i);
        out += quote(end < 0 ? fmt.slice(i + 1) : fmt.slice(i + 1, end));
        i = end < 0 ? fmt.length : end + 1;
        continue;
      }
      const hit = TOKENS.find(([m, l]) => l !== null && fmt.startsWith(m, i));
      if (hit) { out += hit[1]; i += hit[0].length; continue; }
      out += /[A-Za-z]/.test(fmt[i]) ? quote(fmt[i]) : fmt[i];
      i++;
    }
    return out;
  }
  function v1Number(value) {
    let n = Number(value);
    if (!Number.isInteger(n)) n = Math.round(n * 1000);
    else if (String(n).length < 12) n = n * 1000;
    return n;
  }
  function v1(p, zone) {
    const { DateTime } = L();
    const o = p.options || {};
    const field = p.dataPropertyName || 'data';
    let value = p.value;
    if (value === undefined) return { skip: true };
    if ((p.action || 'format') === 'calculate') {
      let d;
      if (o.fromFormat) {
        d = DateTime.fromFormat(String(value), momentToLuxon(o.fromFormat), { zone: 'system' });
        if (!d.isValid) throw new Error('Date input cannot be parsed. Please recheck the value and the "From Format" field.');
      } else {
        const ms = new Date(typeof value === 'string' || typeof value === 'number' ? value : Number(value)).getTime();
        if (Number.isNaN(ms)) throw new Error('Unrecognized date input. Please specify a format in the "From Format" field.');
        // moment did its calendar maths in the process zone.
        d = DateTime.fromMillis(ms, { zone: 'system' });
      }
      let unit = p.timeUnit || 'days';
      let amount = Number(p.duration || 0);
      if (unit === 'weeks') { unit = 'days'; amount *= 7; }
      if (unit === 'quarters') { unit = 'months'; amount *= 3; }
      if (unit === 'years') { unit = 'months'; amount *= 12; }
      if (['days', 'months'].includes(unit)) amount = Math.round(amount);
      const moved = (p.operation || 'add') === 'subtract' ? d.minus({ [unit]: amount }) : d.plus({ [unit]: amount });
      return { field, value: moved.toUTC().toISO() };
    }
    const zoned = !!(o.fromTimezone || o.toTimezone);
    let d;
    const num = Number(value);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) value = String(value);
    if (!Number.isNaN(num) && !(typeof value === 'string' && value.trim() === '' && o.fromFormat)) {
      d = DateTime.fromMillis(v1Number(value));
    } else if (o.fromFormat) {
      d = DateTime.fromFormat(String(value), momentToLuxon(o.fromFormat), { zone: zoned ? o.fromTimezone || zone : 'system' });
      if (!d.isValid) d = DateTime.fromISO(String(value), { zone: zoned ? o.fromTimezone || zone : 'system' });
    } else {
      const from = zoned ? o.fromTimezone || zone : 'system';
      for (const f of ['fromISO', 'fromRFC2822', 'fromHTTP', 'fromSQL']) { const x = DateTime[f](String(value), { zone: from }); if (x.isValid) { d = x; break; } }
      if (!d) {
        const ms = Date.parse(String(value));
        if (Number.isNaN(ms) && o.fromFormat === undefined) throw new Error('The date input format could not be recognized. Please set the "From Format" field');
        d = DateTime.fromMillis(ms);
      }
    }
    if (zoned) d = d.setZone(o.toTimezone || zone);
    else d = d.setZone('system');
    const fmt = p.toFormat === undefined ? 'MM/DD/YYYY' : p.toFormat;
    if (!fmt) {
      const zulu = zoned && d.offset === 0;
      return { field, value: d.toFormat(zulu ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ssZZ") };
    }
    return { field, value: momentFormat(d, fmt) };
  }
  g.__dateTimeV1 = function (json) {
    try {
      g.DateTime;
      const out = v1(JSON.parse(json), g.__workflowZone());
      return JSON.stringify(out.skip ? { ok: true, skip: true } : { ok: true, field: out.field, value: out.value });
    } catch (e) {
      return JSON.stringify({ ok: false, message: String(e && e.message) });
    }
  };

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
