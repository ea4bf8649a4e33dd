// Guards evaluated before anything else in each context, so user code cannot spin a core past
// its time limit inside a built-in. QuickJS polls its interrupt handler on calls and loop jumps,
// but several built-ins loop in C over an array-like's `length` without polling
// (`Array.prototype.join.call({length: 2 ** 53 - 1})`), and searches over strings are naive.
// Every such built-in is wrapped: it reads `length` exactly as the C code will (a data property,
// never a getter or a Proxy that could answer differently the second time), refuses lengths over
// LIMIT, and charges the work done so that a loop calling it many times still reaches a poll.
(function (g) {
  'use strict';
  const LIMIT = 1e7;
  const CHUNK = 2e5;
  const { apply, getPrototypeOf } = Reflect;
  const gOPD = Object.getOwnPropertyDescriptor;
  const defProp = Object.defineProperty;
  const ToObject = Object;
  const RangeErr = RangeError;
  const TypeErr = TypeError;
  const Str = String;
  const Num = Number;
  const floor = Math.floor;
  const max = Math.max;
  const min = Math.min;
  const isArray = Array.isArray;
  const wsAdd = WeakSet.prototype.add;
  const wsHas = WeakSet.prototype.has;
  const TA_LENGTH = gOPD(getPrototypeOf(Uint8Array.prototype), 'length').get;
  const MAX_LENGTH = 2 ** 53 - 1;

  // Every Proxy made in this context is remembered: a proxy can answer `length` one way to the
  // guard and another way to the built-in, so built-ins refuse proxy receivers.
  const proxies = new WeakSet();
  const NativeProxy = g.Proxy;
  const nativeRevocable = NativeProxy.revocable;
  const Proxy = function Proxy(target, handler) {
    if (new.target === undefined) throw new TypeErr("Constructor Proxy requires 'new'");
    const p = new NativeProxy(target, handler);
    apply(wsAdd, proxies, [p]);
    return p;
  };
  defProp(Proxy, 'revocable', {
    value: function revocable(target, handler) {
      const r = nativeRevocable(target, handler);
      apply(wsAdd, proxies, [r.proxy]);
      return r;
    },
    writable: true,
    configurable: true,
  });
  defProp(g, 'Proxy', { value: Proxy, writable: true, configurable: true });

  // 10,001 taken loop jumps always reach QuickJS's interrupt poll.
  let work = 0;
  function charge(n) {
    work += n;
    if (work >= CHUNK) {
      work = 0;
      for (let i = 0; i < 10001; i++);
    }
  }

  function safeLength(O) {
    for (let o = O; o !== null; o = getPrototypeOf(o)) {
      if (apply(wsHas, proxies, [o])) throw new TypeErr('Array methods cannot be called on a Proxy here');
      const d = gOPD(o, 'length');
      if (d === undefined) continue;
      let v;
      if ('value' in d) v = d.value;
      else if (d.get === TA_LENGTH) v = apply(TA_LENGTH, O, []);
      else throw new TypeErr('Array methods cannot be called on an object whose length is a getter');
      if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
        throw new TypeErr('Array methods need a length that is a number');
      }
      const n = Num(v);
      return n > 0 ? (n < MAX_LENGTH ? floor(n) : MAX_LENGTH) : 0;
    }
    return 0;
  }

  function tooLong(name, n) {
    return new RangeErr(`${name}: a length of ${n} is more than the ${LIMIT} allowed here`);
  }

  function guard(proto, name) {
    const original = proto[name];
    if (typeof original !== 'function') return;
    const wrapped = {
      [name](...args) {
        if (this !== null && this !== undefined) {
          const n = safeLength(ToObject(this));
          if (n > LIMIT) throw tooLong(name, n);
          charge(n + 1);
        }
        return apply(original, this, args);
      },
    }[name];
    defProp(wrapped, 'length', { value: original.length });
    defProp(proto, name, { value: wrapped, writable: true, configurable: true });
  }
  for (const name of [
    'join', 'toLocaleString', 'reverse', 'shift', 'unshift', 'splice', 'copyWithin', 'fill',
    'sort', 'slice', 'indexOf', 'lastIndexOf', 'includes', 'with', 'toReversed', 'toSorted',
    'toSpliced', 'every', 'some', 'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'find',
    'findIndex', 'findLast', 'findLastIndex',
  ]) {
    guard(Array.prototype, name);
  }

  // concat, flat and flatMap read lengths again after user code may have run: written here,
  // where every loop is polled.
  function spreadable(E) {
    if (E === null || (typeof E !== 'object' && typeof E !== 'function')) return false;
    const s = E[Symbol.isConcatSpreadable];
    return s !== undefined ? !!s : isArray(E);
  }
  function lengthOf(o) {
    return min(max(floor(Num(o.length)) || 0, 0), MAX_LENGTH);
  }
  function put(A, n, value) {
    defProp(A, n, { value, writable: true, enumerable: true, configurable: true });
  }
  defProp(Array.prototype, 'concat', {
    writable: true,
    configurable: true,
    value: {
      concat(...items) {
        const O = ToObject(this);
        const A = [];
        let n = 0;
        for (let k = -1; k < items.length; k++) {
          const E = k < 0 ? O : items[k];
          if (spreadable(E)) {
            const len = lengthOf(E);
            if (n + len > LIMIT) throw tooLong('concat', n + len);
            for (let i = 0; i < len; i++, n++) if (i in E) put(A, n, E[i]);
          } else {
            put(A, n++, E);
          }
        }
        A.length = n;
        return A;
      },
    }.concat,
  });
  function flatInto(A, source, depth, mapper, thisArg) {
    const len = lengthOf(source);
    for (let i = 0; i < len; i++) {
      if (!(i in source)) continue;
      let e = source[i];
      if (mapper) e = apply(mapper, thisArg, [e, i, source]);
      if (depth > 0 && isArray(e)) {
        flatInto(A, e, depth - 1, undefined, undefined);
      } else {
        if (A.length >= LIMIT) throw tooLong('flat', A.length + 1);
        A[A.length] = e;
      }
    }
  }
  defProp(Array.prototype, 'flat', {
    writable: true,
    configurable: true,
    value: {
      flat(depth) {
        const A = [];
        const d = depth === undefined ? 1 : Math.trunc(Num(depth)) || 0;
        flatInto(A, ToObject(this), d, undefined, undefined);
        return A;
      },
    }.flat,
  });
  defProp(Array.prototype, 'flatMap', {
    writable: true,
    configurable: true,
    value: {
      flatMap(fn, thisArg) {
        if (typeof fn !== 'function') throw new TypeErr('flatMap mapper is not a function');
        const A = [];
        flatInto(A, ToObject(this), 1, fn, thisArg);
        return A;
      },
    }.flatMap,
  });

  // String searches compare character by character: their cost is bounded up front.
  const SEARCH_BUDGET = 5e7;
  for (const name of ['indexOf', 'lastIndexOf', 'includes']) {
    const original = String.prototype[name];
    defProp(String.prototype, name, {
      writable: true,
      configurable: true,
      value: {
        [name](search, position) {
          if (this === null || this === undefined) {
            throw new TypeErr(`String.prototype.${name} called on null or undefined`);
          }
          const S = Str(this);
          if (name === 'includes' && search !== null && typeof search === 'object'
            && (search[Symbol.match] !== undefined ? !!search[Symbol.match] : search instanceof RegExp)) {
            throw new TypeErr('First argument to String.prototype.includes must not be a regular expression');
          }
          const T = Str(search);
          const cost = max(S.length - T.length + 1, 0) * max(T.length, 1);
          if (cost > SEARCH_BUDGET) throw new RangeErr(`${name}: this search is too expensive to run here`);
          charge(cost / 64 + S.length / 64);
          return apply(original, S, arguments.length > 1 ? [T, position] : [T]);
        },
      }[name],
    });
  }

  // Iterator helpers that pull built-in iterators in C without polling.
  if (g.Iterator && Iterator.prototype.drop) {
    const drop = Iterator.prototype.drop;
    defProp(Iterator.prototype, 'drop', {
      writable: true,
      configurable: true,
      value: {
        drop(limit) {
          const n = Num(limit);
          if (n > LIMIT) throw tooLong('drop', n);
          return apply(drop, this, [n]);
        },
      }.drop,
    });
  }
  if (g.Iterator) delete Iterator.prototype.join;
  defProp(String, 'raw', {
    writable: true,
    configurable: true,
    value: {
      raw(template, ...substitutions) {
        const r = ToObject(ToObject(template).raw);
        const len = safeLength(r);
        if (len > LIMIT) throw tooLong('String.raw', len);
        let s = '';
        for (let i = 0; i < len; i++) {
          s += Str(r[i]);
          if (i + 1 < len && i < substitutions.length) s += Str(substitutions[i]);
        }
        return s;
      },
    }.raw,
  });

  // Stack traces show the user's code only: frames of Weft's own scripts are left out.
  Error.prepareStackTrace = (error, sites) => {
    let out = '';
    try {
      out = Str(error);
    } catch (_) {
      out = 'Error';
    }
    for (const site of sites) {
      const file = site.getFileName();
      if (file === '<weft>') continue;
      const fn = site.getFunctionName() || '<anonymous>';
      out += `\n    at ${fn} (<code>:${site.getLineNumber()}:${site.getColumnNumber()})`;
    }
    return out;
  };
})(globalThis);
