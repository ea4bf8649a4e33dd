// n8n's expression extension functions, written for Weft: methods on strings, numbers, arrays,
// objects, booleans and dates (`'a b'.toTitleCase()`, `[1,2].sum()`, `$json.isEmpty()`, …).
// They are non-enumerable prototype methods of this execution's own context only.
(function (g) {
  'use strict';
  const define = (proto, methods) => {
    for (const [name, fn] of Object.entries(methods)) {
      if (Object.prototype.hasOwnProperty.call(proto, name)) continue;
      Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  };
  const isPlain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const emptyValue = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isPlain(v) && Object.keys(v).length === 0);
  const words = (s) => String(s).replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean);
  const EMAIL = /([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/;
  const URL_RE = /(https?:\/\/[^\s"'<>]+|www\.[^\s"'<>]+)/;
  const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const dt = () => g.DateTime;

  define(String.prototype, {
    isEmpty() { return this.length === 0; },
    isNotEmpty() { return this.length > 0; },
    isBlank() { return this.trim().length === 0; },
    toTitleCase() { return String(this).toLowerCase().replace(/(^|\s|-)(\S)/g, (m, sep, c) => sep + c.toUpperCase()); },
    toSentenceCase() { const s = String(this).toLowerCase(); return s.replace(/(^\s*\S|[.!?]\s+\S)/g, (m) => m.toUpperCase()); },
    toSnakeCase() { return words(this).map((w) => w.toLowerCase()).join('_'); },
    toCamelCase() { const w = words(this).map((x) => x.toLowerCase()); return w.map((x, i) => (i ? x[0].toUpperCase() + x.slice(1) : x)).join(''); },
    toKebabCase() { return words(this).map((w) => w.toLowerCase()).join('-'); },
    capitalize() { return this.length ? this[0].toUpperCase() + this.slice(1) : ''; },
    removeTags() { return String(this).replace(/<[^>]*>?/gm, ''); },
    removeMarkdown() { return String(this).replace(/[*_`~#>]+/g, '').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').trim(); },
    replaceSpecialChars() { return String(this).normalize('NFD').replace(/[\u0300-\u036f]/g, ''); },
    urlEncode(entire) { return entire ? encodeURI(this) : encodeURIComponent(this); },
    urlDecode(entire) { return entire ? decodeURI(this) : decodeURIComponent(this); },
    base64Encode() { return g.Buffer.from(String(this)).toString('base64'); },
    base64Decode() { return g.Buffer.from(String(this), 'base64').toString(); },
    quote(mark) { const q = mark === undefined ? '"' : mark; return q + String(this).replace(new RegExp(q, 'g'), '\\' + q) + q; },
    isEmail() { return /^[\w.+-]+@[\w-]+(\.[\w-]+)+$/.test(this); },
    isUrl() { return /^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(this); },
    isDomain() { return /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i.test(this); },
    isNumeric() { return this.trim() !== '' && !Number.isNaN(Number(this)); },
    extractEmail() { const m = EMAIL.exec(this); return m ? m[1] : undefined; },
    extractUrl() { const m = URL_RE.exec(this); return m ? m[1] : undefined; },
    extractDomain() {
      const s = String(this);
      const email = EMAIL.exec(s);
      if (email && !/^https?:/i.test(s)) return email[1].split('@')[1];
      const m = /^(?:https?:\/\/)?([^/:?#]+)/i.exec(s.trim());
      return m ? m[1] : undefined;
    },
    extractUrlPath() { const m = /^(?:https?:\/\/)?[^/]+(\/[^?#]*)?/i.exec(this.trim()); return m && m[1] ? m[1] : '/'; },
    parseJson() { return JSON.parse(this); },
    toJsonString() { return JSON.stringify(String(this)); },
    toNumber() { const n = Number(this); if (Number.isNaN(n)) throw new Error(`'${this}' can't be converted to a number`); return n; },
    toFloat() { return parseFloat(this); },
    toInt() { return parseInt(this, 10); },
    toWholeNumber() { return Math.trunc(Number(this)); },
    toBoolean() { const s = this.trim().toLowerCase(); return !(s === '' || s === 'false' || s === '0' || s === 'no' || s === 'off'); },
    toDateTime(format) { return format ? dt().fromFormat(String(this), format) : parseDate(String(this)); },
    toDate() { return new Date(String(this)); },
  });

  function parseDate(s) {
    const D = dt();
    for (const f of ['fromISO', 'fromHTTP', 'fromRFC2822', 'fromSQL']) {
      const d = D[f](s);
      if (d.isValid) return d;
    }
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? D.invalid('unparseable') : D.fromMillis(ms);
  }

  define(Number.prototype, {
    round(places) { const p = Math.pow(10, places || 0); return Math.round(this * p) / p; },
    ceil() { return Math.ceil(this); },
    floor() { return Math.floor(this); },
    abs() { return Math.abs(this); },
    isEven() { return this % 2 === 0; },
    isOdd() { return Math.abs(this % 2) === 1; },
    isInteger() { return Number.isInteger(Number(this)); },
    toBoolean() { return Number(this) !== 0; },
    toInt() { return Math.trunc(this); },
    toFloat() { return Number(this); },
    format(locales, options) { return new Intl.NumberFormat(locales, options).format(this); },
    toDateTime(format) {
      const D = dt();
      if (format === 'ms') return D.fromMillis(Number(this));
      if (format === 's') return D.fromSeconds(Number(this));
      if (format === 'excel') return D.fromMillis(Math.round((Number(this) - 25569) * 86400000), { zone: 'UTC' });
      return Number(this) > 1e11 ? D.fromMillis(Number(this)) : D.fromSeconds(Number(this));
    },
  });

  define(Boolean.prototype, {
    toInt() { return this.valueOf() ? 1 : 0; },
    toNumber() { return this.valueOf() ? 1 : 0; },
  });

  define(Array.prototype, {
    isEmpty() { return this.length === 0; },
    isNotEmpty() { return this.length > 0; },
    first() { return this[0]; },
    last() { return this[this.length - 1]; },
    sum() { return this.reduce((a, b) => a + Number(b), 0); },
    average() { return this.length ? this.sum() / this.length : undefined; },
    min() { return Math.min(...this); },
    max() { return Math.max(...this); },
    compact() { return this.filter((v) => !emptyValue(v)).map((v) => (isPlain(v) ? v.compact() : v)); },
    chunk(size) { const out = []; for (let i = 0; i < this.length; i += size) out.push(this.slice(i, i + size)); return out; },
    pluck(...fields) {
      return this.filter(isPlain).map((o) => (fields.length === 1 ? o[fields[0]] : Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]])))).filter((v) => v !== undefined);
    },
    unique(...fields) {
      const seen = new Set();
      return this.filter((v) => { const k = JSON.stringify(fields.length && isPlain(v) ? fields.map((f) => v[f]) : v); if (seen.has(k)) return false; seen.add(k); return true; });
    },
    removeDuplicates(...fields) { return this.unique(...fields); },
    difference(other) { return this.filter((v) => !other.some((o) => sameValue(o, v))); },
    intersection(other) { return this.filter((v) => other.some((o) => sameValue(o, v))).unique(); },
    union(other) { return this.concat(other).unique(); },
    merge(other) { const out = {}; for (const o of this.concat(other || [])) if (isPlain(o)) Object.assign(out, o); return out; },
    append(...values) { return this.concat(values); },
    randomItem() { return this[Math.floor(Math.random() * this.length)]; },
    renameKeys(...pairs) {
      return this.map((o) => {
        if (!isPlain(o)) return o;
        const out = Object.assign({}, o);
        for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] in out) { out[pairs[i + 1]] = out[pairs[i]]; delete out[pairs[i]]; }
        return out;
      });
    },
    smartJoin(keyField, valueField) { const out = {}; for (const o of this) if (isPlain(o)) out[o[keyField]] = o[valueField]; return out; },
    toJsonString() { return JSON.stringify(this); },
  });

  define(Object.prototype, {
    isEmpty() { return Object.keys(this).length === 0; },
    isNotEmpty() { return Object.keys(this).length > 0; },
    hasField(name) { return Object.prototype.hasOwnProperty.call(this, name); },
    removeField(name) { const out = Object.assign({}, this); delete out[name]; return out; },
    removeFieldsContaining(value) { return Object.fromEntries(Object.entries(this).filter(([, v]) => !(typeof v === 'string' && v.includes(value)))); },
    keepFieldsContaining(value) { return Object.fromEntries(Object.entries(this).filter(([, v]) => typeof v === 'string' && v.includes(value))); },
    compact() { return Object.fromEntries(Object.entries(this).filter(([, v]) => !emptyValue(v))); },
    merge(other) { return Object.assign({}, other, this); },
    keys() { return Object.keys(this); },
    values() { return Object.values(this); },
    toJsonString() { return JSON.stringify(this); },
    urlEncode() { return Object.entries(this).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&'); },
  });

  // Called once Luxon is loaded: n8n's date helpers on DateTime (and JS Date via DateTime).
  g.__extendDates = function (luxon) {
    const P = luxon.DateTime.prototype;
    const plus = P.plus, minus = P.minus;
    const unitArg = (n, unit) => (typeof n === 'number' ? { [unit || 'milliseconds']: n } : n);
    Object.defineProperties(P, {
      plus: { value(n, unit) { return plus.call(this, unitArg(n, unit)); }, configurable: true, writable: true },
      minus: { value(n, unit) { return minus.call(this, unitArg(n, unit)); }, configurable: true, writable: true },
      format: { value(fmt) { return this.toFormat(fmt); }, configurable: true, writable: true },
      beginningOf: { value(unit) { return this.startOf(unit || 'week'); }, configurable: true, writable: true },
      endOfMonth: { value() { return this.endOf('month'); }, configurable: true, writable: true },
      extract: { value(part) { const p = part || 'week'; return p === 'week' ? this.weekNumber : p === 'dayOfWeek' ? this.weekday : this.get(p); }, configurable: true, writable: true },
      isBetween: { value(a, b) { const x = this.toMillis(); const l = toDT(a).toMillis(); const h = toDT(b).toMillis(); return x > Math.min(l, h) && x < Math.max(l, h); }, configurable: true, writable: true },
      isInLast: { value(n, unit) { const now = luxon.DateTime.now(); return this <= now && this >= now.minus({ [unit || 'minutes']: n || 0 }); }, configurable: true, writable: true },
      isWeekend: { value() { return this.weekday >= 6; }, configurable: true, writable: true },
      diffTo: { value(other, unit) { return this.diff(toDT(other), unit || 'days').as(unit || 'days'); }, configurable: true, writable: true },
      toDateTime: { value() { return this; }, configurable: true, writable: true },
    });
    function toDT(v) { return luxon.DateTime.isDateTime(v) ? v : typeof v === 'string' ? parseDate(v) : v instanceof Date ? luxon.DateTime.fromJSDate(v) : luxon.DateTime.fromMillis(Number(v)); }
    define(Date.prototype, { toDateTime() { return luxon.DateTime.fromJSDate(this); } });
  };
})(globalThis);
