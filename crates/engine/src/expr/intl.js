// Weft's minimal `Intl` for the sandbox (QuickJS has none): English (en-US) only, with time
// zone offsets from the host (`__tzOffset(zone, epochMs)` → minutes east of UTC, or null for an
// unknown zone). It covers what Luxon needs: zone validation and offsets, resolved options,
// formatToParts/format for dates, and simple number, list and plural formatting.
(function (g) {
  'use strict';
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const tzOffset = g.__tzOffset;
  const pad = (n, w) => String(n).padStart(w, '0');

  function zoneOf(name) {
    if (name === undefined) return g.__systemZone || 'UTC';
    const z = String(name);
    if (tzOffset(z, 0) === null || tzOffset(z, 0) === undefined) throw new RangeError(`Invalid time zone specified: ${z}`);
    return z;
  }

  function fields(date, zone) {
    const ms = date === undefined ? Date.now() : (date instanceof Date ? date.getTime() : Number(date));
    const offset = tzOffset(zone, ms) || 0;
    const d = new Date(ms + offset * 60000);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate(), wd: d.getUTCDay(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds(), offset };
  }

  function offsetName(offset) {
    if (offset === 0) return 'UTC';
    const sign = offset < 0 ? '-' : '+';
    const a = Math.abs(offset);
    return `GMT${sign}${Math.floor(a / 60)}${a % 60 ? ':' + pad(a % 60, 2) : ''}`;
  }

  const STYLES = {
    dateStyle: { full: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }, long: { year: 'numeric', month: 'long', day: 'numeric' }, medium: { year: 'numeric', month: 'short', day: 'numeric' }, short: { year: '2-digit', month: 'numeric', day: 'numeric' } },
    timeStyle: { full: { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }, long: { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }, medium: { hour: 'numeric', minute: '2-digit', second: '2-digit' }, short: { hour: 'numeric', minute: '2-digit' } },
  };

  class DateTimeFormat {
    constructor(locales, options) {
      const o = Object.assign({}, options || {});
      if (o.dateStyle) Object.assign(o, STYLES.dateStyle[o.dateStyle] || {});
      if (o.timeStyle) Object.assign(o, STYLES.timeStyle[o.timeStyle] || {});
      const anyField = ['weekday', 'era', 'year', 'month', 'day', 'hour', 'minute', 'second', 'timeZoneName'].some((k) => o[k] !== undefined);
      if (!anyField) Object.assign(o, { year: 'numeric', month: 'numeric', day: 'numeric' });
      this.o = o;
      this.zone = zoneOf(o.timeZone);
      this.h12 = o.hourCycle ? (o.hourCycle === 'h11' || o.hourCycle === 'h12') : o.hour12 !== false;
    }
    resolvedOptions() {
      return { locale: 'en-US', calendar: 'gregory', numberingSystem: 'latn', timeZone: this.zone, hour12: this.h12, hourCycle: this.h12 ? 'h12' : 'h23' };
    }
    formatToParts(date) {
      const o = this.o;
      const f = fields(date, this.zone);
      const parts = [];
      const lit = (v) => parts.push({ type: 'literal', value: v });
      const textMonth = o.month === 'long' || o.month === 'short' || o.month === 'narrow';
      if (o.weekday) {
        const w = DAYS[f.wd];
        parts.push({ type: 'weekday', value: o.weekday === 'long' ? w : o.weekday === 'short' ? w.slice(0, 3) : w[0] });
        if (o.year || o.month || o.day) lit(', ');
      }
      const monthValue = () => {
        if (o.month === 'long') return MONTHS[f.mo];
        if (o.month === 'short') return MONTHS[f.mo].slice(0, 3);
        if (o.month === 'narrow') return MONTHS[f.mo][0];
        return o.month === '2-digit' ? pad(f.mo + 1, 2) : String(f.mo + 1);
      };
      const dayValue = () => (o.day === '2-digit' ? pad(f.d, 2) : String(f.d));
      const yearValue = () => (o.year === '2-digit' ? pad(f.y % 100, 2) : String(f.y));
      if (textMonth) {
        if (o.month) parts.push({ type: 'month', value: monthValue() });
        if (o.day) { lit(' '); parts.push({ type: 'day', value: dayValue() }); }
        if (o.year) { lit(o.day ? ', ' : ' '); parts.push({ type: 'year', value: yearValue() }); }
      } else {
        const seq = [];
        if (o.month) seq.push({ type: 'month', value: monthValue() });
        if (o.day) seq.push({ type: 'day', value: dayValue() });
        if (o.year) seq.push({ type: 'year', value: yearValue() });
        seq.forEach((p, i) => { if (i) lit('/'); parts.push(p); });
      }
      if (o.era) { lit(' '); parts.push({ type: 'era', value: f.y > 0 ? (o.era === 'long' ? 'Anno Domini' : 'AD') : 'BC' }); }
      if (o.hour || o.minute || o.second) {
        if (parts.length) lit(', ');
        let h = f.h;
        if (this.h12) { h = h % 12; if (h === 0) h = 12; }
        const two = (v, k) => (o[k] === '2-digit' || (k !== 'hour' && parts.some((p) => p.type === 'hour')) ? pad(v, 2) : String(v));
        const seq = [];
        if (o.hour) seq.push({ type: 'hour', value: o.hour === '2-digit' ? pad(h, 2) : String(h) });
        if (o.minute) seq.push({ type: 'minute', value: o.hour ? pad(f.mi, 2) : two(f.mi, 'minute') });
        if (o.second) seq.push({ type: 'second', value: o.hour || o.minute ? pad(f.s, 2) : String(f.s) });
        seq.forEach((p, i) => { if (i) lit(':'); parts.push(p); });
        if (o.fractionalSecondDigits) { lit('.'); parts.push({ type: 'fractionalSecond', value: pad(f.ms, 3).slice(0, o.fractionalSecondDigits) }); }
        if (this.h12 && o.hour) { lit(' '); parts.push({ type: 'dayPeriod', value: f.h < 12 ? 'AM' : 'PM' }); }
      }
      if (o.timeZoneName) { lit(' '); parts.push({ type: 'timeZoneName', value: offsetName(f.offset) }); }
      return parts;
    }
    format(date) { return this.formatToParts(date).map((p) => p.value).join(''); }
    static supportedLocalesOf() { return ['en-US']; }
  }

  class NumberFormat {
    constructor(locales, options) { this.o = Object.assign({}, options || {}); }
    resolvedOptions() { return Object.assign({ locale: 'en-US', numberingSystem: 'latn' }, this.o); }
    format(n) {
      const o = this.o;
      let s;
      if (o.maximumFractionDigits !== undefined || o.minimumFractionDigits !== undefined) {
        const max = o.maximumFractionDigits !== undefined ? o.maximumFractionDigits : 3;
        s = Number(n).toFixed(Math.max(max, o.minimumFractionDigits || 0));
        if ((o.minimumFractionDigits || 0) < max) s = s.replace(/\.?0+$/, (m) => (m.startsWith('.') && (o.minimumFractionDigits || 0) === 0 ? '' : m));
      } else {
        s = String(Math.round(Number(n) * 1000) / 1000);
      }
      if (o.minimumIntegerDigits) {
        const neg = s.startsWith('-');
        const [i, f] = (neg ? s.slice(1) : s).split('.');
        s = (neg ? '-' : '') + i.padStart(o.minimumIntegerDigits, '0') + (f !== undefined ? '.' + f : '');
      }
      if (o.useGrouping !== false) s = s.replace(/^(-?\d+)/, (m) => m.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
      if (o.style === 'unit' && o.unit) {
        const abs = Math.abs(Number(n));
        s += o.unitDisplay === 'short' || o.unitDisplay === 'narrow' ? ' ' + o.unit.slice(0, 3) : ' ' + o.unit + (abs === 1 ? '' : 's');
      }
      return s;
    }
    formatToParts(n) { return [{ type: 'integer', value: this.format(n) }]; }
    static supportedLocalesOf() { return ['en-US']; }
  }

  class ListFormat {
    constructor(locales, options) { this.o = Object.assign({ type: 'conjunction' }, options || {}); }
    format(list) {
      const a = Array.from(list).map(String);
      if (a.length <= 1) return a.join('');
      const word = this.o.type === 'disjunction' ? 'or' : 'and';
      if (this.o.style === 'narrow' || this.o.type === 'unit') return a.join(', ');
      return a.length === 2 ? `${a[0]} ${word} ${a[1]}` : `${a.slice(0, -1).join(', ')}, ${word} ${a[a.length - 1]}`;
    }
  }

  class PluralRules {
    select(n) { return Number(n) === 1 ? 'one' : 'other'; }
    resolvedOptions() { return { locale: 'en-US' }; }
  }

  g.Intl = Object.freeze({
    DateTimeFormat, NumberFormat, ListFormat, PluralRules,
    getCanonicalLocales: (l) => (l === undefined ? [] : [].concat(l).map(String)),
  });
})(globalThis);
