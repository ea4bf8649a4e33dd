// Node's `Buffer`, the part Code nodes use: bytes from and to text (utf8, base64, base64url,
// hex, latin1/binary, ascii), alloc, concat, byteLength, isBuffer, equals, toJSON. Loaded on
// first use of the global.
(function (g) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const norm = (e) => String(e === undefined ? 'utf8' : e).toLowerCase().replace('-', '');
  function utf8(text) {
    const out = [];
    for (const ch of text) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }
  function fromUtf8(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      let c = 0xfffd, len = 1;
      if (b < 0x80) { c = b; }
      else if (b >= 0xf0 && i + 3 < bytes.length + 0) { c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63); len = 4; }
      else if (b >= 0xe0) { c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63); len = 3; }
      else if (b >= 0xc0) { c = ((b & 31) << 6) | (bytes[i + 1] & 63); len = 2; }
      out += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
      i += len;
    }
    return out;
  }
  function fromBase64(text) {
    const clean = String(text).replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
    const out = [];
    for (let i = 0; i < clean.length; i += 4) {
      const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1] || 'A') << 12)
        | (B64.indexOf(clean[i + 2] || 'A') << 6) | B64.indexOf(clean[i + 3] || 'A');
      out.push((n >> 16) & 255);
      if (i + 2 < clean.length) out.push((n >> 8) & 255);
      if (i + 3 < clean.length) out.push(n & 255);
    }
    return out;
  }
  function toBase64(bytes, url) {
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.length ? B64[n & 63] : '=';
    }
    return url ? out.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : out;
  }
  function encode(text, encoding) {
    switch (norm(encoding)) {
      case 'utf8': return utf8(String(text));
      case 'base64': case 'base64url': return fromBase64(text);
      case 'hex': {
        const out = [];
        const s = String(text);
        for (let i = 0; i + 1 < s.length; i += 2) {
          const b = parseInt(s.slice(i, i + 2), 16);
          if (Number.isNaN(b)) break;
          out.push(b);
        }
        return out;
      }
      case 'latin1': case 'binary': case 'ascii':
        return Array.from(String(text), (ch) => ch.charCodeAt(0) & 255);
      default: throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }
  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (typeof value === 'string') return new Buffer(encode(value, encodingOrOffset));
      if (value instanceof ArrayBuffer) return new Buffer(new Uint8Array(value, encodingOrOffset || 0, length));
      if (value && typeof value === 'object' && value.type === 'Buffer' && Array.isArray(value.data)) return new Buffer(value.data);
      return new Buffer(Array.from(value || []));
    }
    static alloc(size, fill) { const b = new Buffer(size); if (fill !== undefined) b.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill); return b; }
    static isBuffer(value) { return value instanceof Buffer; }
    static byteLength(value, encoding) { return typeof value === 'string' ? encode(value, encoding).length : value.length; }
    static concat(list, total) {
      const length = total === undefined ? list.reduce((n, b) => n + b.length, 0) : total;
      const out = new Buffer(length);
      let at = 0;
      for (const b of list) { if (at >= length) break; out.set(b.subarray(0, length - at), at); at += b.length; }
      return out;
    }
    toString(encoding, start, end) {
      const bytes = Array.from(this.subarray(start || 0, end === undefined ? this.length : end));
      switch (norm(encoding)) {
        case 'utf8': return fromUtf8(bytes);
        case 'base64': return toBase64(bytes, false);
        case 'base64url': return toBase64(bytes, true);
        case 'hex': return bytes.map((b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
        case 'latin1': case 'binary': return String.fromCharCode(...bytes);
        case 'ascii': return String.fromCharCode(...bytes.map((b) => b & 127));
        default: throw new TypeError(`Unknown encoding: ${encoding}`);
      }
    }
    toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
    equals(other) { return this.length === other.length && this.every((b, i) => b === other[i]); }
    write(text, offset, encoding) { const bytes = encode(text, encoding); this.set(bytes.slice(0, this.length - (offset || 0)), offset || 0); return Math.min(bytes.length, this.length - (offset || 0)); }
  }
  g.__Buffer = Buffer;
})(globalThis);
