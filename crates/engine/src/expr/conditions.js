// Weft's condition engine for n8n's filter parameter (If v2, Filter v2, Switch v3) and the
// If/Filter v1 operation table. Written for Weft from the behaviour n8n documents; runs in
// the sandbox so JavaScript's own equality, comparison and RegExp semantics apply.
(function (g) {
  'use strict';
  const article = (w) => (/^[aeiou]/i.test(w) ? 'an' : 'a');
  const isNullish = (v) => v === undefined || v === null;

  class FilterError extends Error {
    constructor(message, description) { super(message); this.description = description; }
  }

  function toNumber(v) { const n = Number(v); return Number.isNaN(n) ? undefined : n; }
  function toBool(v) {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (s === 'true') return true;
      if (s === 'false') return false;
      if (s === '') return undefined;
    }
    const n = Number(v);
    if (n === 0) return false;
    if (n === 1) return true;
    return undefined;
  }
  function toDate(v) {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
    const s = String(v).trim();
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  function toArray(v) {
    if (Array.isArray(v)) return v;
    for (const text of [String(v), String(v).replace(/'/g, '"')]) {
      try { const p = JSON.parse(text); if (Array.isArray(p)) return p; } catch (e) { /* next */ }
    }
    return undefined;
  }
  function toObject(v) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
    try { const p = JSON.parse(String(v)); if (p !== null && typeof p === 'object' && !Array.isArray(p)) return p; } catch (e) { /* fall */ }
    return undefined;
  }

  // Returns {valid, value} for one side.
  function parseSide(value, type, strict, version) {
    if (type === 'any' || isNullish(value)) return { valid: true, value };
    if (type === 'boolean' && !strict) {
      if (version >= 2) { const b = toBool(value); if (b !== undefined) return { valid: true, value: b }; }
      return { valid: true, value: Boolean(value) };
    }
    if (type === 'number') {
      if (typeof value === 'number' && Number.isNaN(value)) return { valid: true, value };
      if (version >= 3 && ((typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0))) {
        return { valid: true, value: null };
      }
    }
    if (strict) {
      switch (type) {
        case 'string': if (typeof value !== 'string') return { valid: false }; break;
        case 'number': if (typeof value !== 'number') return { valid: false }; break;
        case 'boolean': if (typeof value !== 'boolean') return { valid: false }; break;
        case 'array': if (!Array.isArray(value)) return { valid: false }; break;
        case 'object': if (value === null || typeof value !== 'object') return { valid: false }; break;
        default: break;
      }
    }
    let out;
    switch (type) {
      case 'string': out = typeof value === 'object' ? JSON.stringify(value) : String(value); break;
      case 'number': out = toNumber(value); break;
      case 'boolean': out = toBool(value); break;
      case 'dateTime': out = toDate(value); break;
      case 'array': out = toArray(value); break;
      case 'object': out = toObject(value); break;
      default: out = value;
    }
    return out === undefined ? { valid: false } : { valid: true, value: out };
  }

  function typeError(raw, type, strict, condIndex, itemIndex, side) {
    const suffix = ` [condition ${condIndex}, item ${itemIndex}]`;
    if (strict) {
      let description = "Try changing the type of comparison. Alternatively you can enable 'Convert types where required'.";
      if (type === 'string' || type === 'number' || type === 'boolean') {
        const fn = { string: 'toString', number: 'toNumber', boolean: 'toBoolean' }[type];
        description = `<p>Try either:</p>\n<ol>\n  <li>Enabling 'Convert types where required'</li>\n  <li>Converting the ${side} field to ${article(type)} ${type} by adding <code>.${fn}()</code></li>\n</ol>\n`;
      }
      return new FilterError(`Wrong type: '${String(raw)}' is ${article(typeof raw)} ${typeof raw} but was expecting ${article(type)} ${type}${suffix}`, description);
    }
    return new FilterError(`Conversion error: the ${typeof raw} '${String(raw)}' can't be converted to ${article(type)} ${type}${suffix}`, 'Try changing the type of the comparison.');
  }

  function regexOf(pattern, ignoreCase) {
    const m = /^\/(.*?)\/([gimusy]*)$/.exec(String(pattern));
    let body = String(pattern), flags = '';
    if (m) { body = m[1]; flags = m[2]; }
    if (ignoreCase && !flags.includes('i')) flags += 'i';
    return new RegExp(body, flags);
  }

  function condition(c, opts, condIndex, itemIndex) {
    const op = c.operator || {};
    const type = op.type || 'string';
    const operation = op.operation || 'equals';
    const strict = opts.typeValidation === 'strict';
    const version = opts.version || 1;
    const ignoreCase = !opts.caseSensitive;
    const rightType = op.rightType || type;
    const l = parseSide(c.leftValue, type, strict, version);
    let r = parseSide(c.rightValue, rightType, strict, version);
    if (!r.valid && op.singleValue) r = { valid: true, value: undefined };
    if (!l.valid && !r.valid && typeof c.leftValue === typeof c.rightValue) {
      throw new FilterError(`Comparison type expects ${article(type)} ${type} but both fields are ${article(typeof c.leftValue)} ${typeof c.leftValue}`,
        "Try changing the type of comparison. Alternatively you can enable 'Convert types where required'.");
    }
    if (!l.valid) throw typeError(c.leftValue, type, strict, condIndex, itemIndex, 'first');
    if (!r.valid) throw typeError(c.rightValue, rightType, strict, condIndex, itemIndex, 'second');
    let left = l.value, right = r.value;
    const exists = !(left === undefined || left === null || (typeof left === 'number' && Number.isNaN(left)));
    if (operation === 'exists') return exists;
    if (operation === 'notExists') return !exists;
    switch (type) {
      case 'string': {
        if (isNullish(left)) left = '';
        if (isNullish(right)) right = '';
        if (operation === 'regex' || operation === 'notRegex') {
          const hit = regexOf(right, ignoreCase).test(left);
          return operation === 'regex' ? hit : !hit;
        }
        if (ignoreCase) { left = String(left).toLocaleLowerCase(); right = String(right).toLocaleLowerCase(); }
        switch (operation) {
          case 'empty': return left.length === 0;
          case 'notEmpty': return left.length !== 0;
          case 'equals': return left === right;
          case 'notEquals': return left !== right;
          case 'contains': return left.includes(right);
          case 'notContains': return !left.includes(right);
          case 'startsWith': return left.startsWith(right);
          case 'notStartsWith': return !left.startsWith(right);
          case 'endsWith': return left.endsWith(right);
          case 'notEndsWith': return !left.endsWith(right);
          default: return false;
        }
      }
      case 'number':
        switch (operation) {
          case 'empty': return !exists;
          case 'notEmpty': return exists;
          case 'equals': return left === right;
          case 'notEquals': return left !== right;
          case 'gt': return left > right;
          case 'lt': return left < right;
          case 'gte': return left >= right;
          case 'lte': return left <= right;
          default: return false;
        }
      case 'dateTime': {
        if (operation === 'empty') return !exists;
        if (operation === 'notEmpty') return exists;
        if (isNullish(left) || isNullish(right)) return false;
        switch (operation) {
          case 'equals': return left === right;
          case 'notEquals': return left !== right;
          case 'after': return left > right;
          case 'before': return left < right;
          case 'afterOrEquals': return left >= right;
          case 'beforeOrEquals': return left <= right;
          default: return false;
        }
      }
      case 'boolean':
        switch (operation) {
          case 'true': return !!left;
          case 'false': return !left;
          case 'equals': return left === right;
          case 'notEquals': return left !== right;
          case 'empty': return !exists;
          case 'notEmpty': return exists;
          default: return false;
        }
      case 'array': {
        if (left === null) left = [];
        const contains = () => (ignoreCase && typeof right === 'string'
          ? left.some((e) => typeof e === 'string' && e.toLocaleLowerCase() === right.toLocaleLowerCase())
          : left.includes(right));
        const n = operation.startsWith('length') ? Number(right) : undefined;
        switch (operation) {
          case 'contains': return contains();
          case 'notContains': return !contains();
          case 'lengthEquals': return left.length === n;
          case 'lengthNotEquals': return left.length !== n;
          case 'lengthGt': return left.length > n;
          case 'lengthLt': return left.length < n;
          case 'lengthGte': return left.length >= n;
          case 'lengthLte': return left.length <= n;
          case 'empty': return left.length === 0;
          case 'notEmpty': return left.length !== 0;
          default: return false;
        }
      }
      case 'object':
        switch (operation) {
          case 'empty': return !left || Object.keys(left).length === 0;
          case 'notEmpty': return !!left && Object.keys(left).length > 0;
          default: return false;
        }
      default: return false;
    }
  }

  // A filter value (expressions already resolved) → {ok, pass} or {ok: false, message, description}.
  g.__filter = function (json, itemIndex) {
    const value = JSON.parse(json);
    try {
      if (value === null || typeof value !== 'object' || !('conditions' in value) || !('combinator' in value)) {
        return JSON.stringify({ ok: true, pass: true });
      }
      const opts = value.options || {};
      const list = value.conditions || [];
      let pass;
      if (value.combinator === 'and') {
        pass = true;
        for (let i = 0; i < list.length; i++) if (!condition(list[i], opts, i, itemIndex)) { pass = false; break; }
      } else if (value.combinator === 'or') {
        pass = false;
        for (let i = 0; i < list.length; i++) if (condition(list[i], opts, i, itemIndex)) { pass = true; break; }
      } else {
        pass = false;
      }
      return JSON.stringify({ ok: true, pass });
    } catch (e) {
      return JSON.stringify({ ok: false, message: String(e && e.message), description: e && e.description });
    }
  };

  // If v1 / Filter v1: one operation of the shared table.
  const falsyZero = (v) => (v ? v : 0);
  function isEmptyV1(v) {
    if (v === undefined || v === null || v === '' || (typeof v === 'number' && Number.isNaN(v))) return true;
    if (v instanceof Date) return Number.isNaN(v.getTime());
    if (typeof v === 'object') return Object.keys(v).length === 0;
    return false;
  }
  function v1Operation(operation, a, b) {
    switch (operation) {
      case 'equal': return a === b;
      case 'notEqual': return a !== b;
      case 'smaller': case 'before': return falsyZero(a) < falsyZero(b);
      case 'smallerEqual': return falsyZero(a) <= falsyZero(b);
      case 'larger': case 'after': return falsyZero(a) > falsyZero(b);
      case 'largerEqual': return falsyZero(a) >= falsyZero(b);
      case 'contains': return String(a || '').includes(String(b || ''));
      case 'notContains': return !String(a || '').includes(String(b || ''));
      case 'startsWith': return a.startsWith(b);
      case 'notStartsWith': return !a.startsWith(b);
      case 'endsWith': return a.endsWith(b);
      case 'notEndsWith': return !a.endsWith(b);
      case 'isEmpty': return isEmptyV1(a);
      case 'isNotEmpty': return !isEmptyV1(a);
      case 'regex': case 'notRegex': {
        const hit = regexOf(b || '', false).test(String(a || ''));
        return operation === 'regex' ? hit : !hit;
      }
      default: return false;
    }
  }
  function dateV1(v) {
    let t;
    if (typeof v === 'string') t = new Date(v).getTime();
    else if (typeof v === 'number') t = v;
    else if (v instanceof Date) t = v.getTime();
    if (t === undefined || Number.isNaN(t)) throw new FilterError(`The value "${v}" is not a valid DateTime.`);
    return t;
  }

  // One v1 comparison (Switch v1/v2 rules): {operation, value1, value2, kind}.
  g.__compareV1 = function (json) {
    const c = JSON.parse(json);
    try {
      let a = c.value1, b = c.value2;
      if (c.kind === 'dateTime') { a = dateV1(a); b = dateV1(b); }
      return JSON.stringify({ ok: true, pass: v1Operation(c.operation, a, b) });
    } catch (e) {
      return JSON.stringify({ ok: false, message: String(e && e.message), description: e && e.description });
    }
  };

  // conditions: {boolean: [...], dateTime: [...], number: [...], string: [...]}; combine 'all'|'any'.
  g.__conditionsV1 = function (json, combine) {
    const c = JSON.parse(json) || {};
    try {
      const any = combine === 'any' || combine === 'OR';
      for (const kind of ['boolean', 'dateTime', 'number', 'string']) {
        for (const entry of c[kind] || []) {
          // Values left at their defaults are not stored.
          const fallback = { boolean: false, number: 0, string: '', dateTime: '' }[kind];
          let a = 'value1' in entry ? entry.value1 : fallback;
          let b = 'value2' in entry ? entry.value2 : fallback;
          if (kind === 'dateTime') { a = dateV1(a); b = dateV1(b); }
          const hit = v1Operation(entry.operation || (kind === 'dateTime' ? 'after' : kind === 'number' ? 'smaller' : 'equal'), a, b);
          if (any && hit) return JSON.stringify({ ok: true, pass: true });
          if (!any && !hit) return JSON.stringify({ ok: true, pass: false });
        }
      }
      return JSON.stringify({ ok: true, pass: !any });
    } catch (e) {
      return JSON.stringify({ ok: false, message: String(e && e.message), description: e && e.description });
    }
  };
})(globalThis);
