/* Built by scripts/frontend.mjs from the ES modules in the frontend/ folders: edit those, then npm run build. */
(() => {
  // maps/frontend/common.js
  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  var ApiError = class extends Error {
    constructor(message2, status, body) {
      super(message2);
      this.status = status;
      this.body = body;
    }
  };
  async function fetchJSON(url, { method = "GET", body, headers } = {}) {
    const options = { method, credentials: "same-origin", headers: Object.assign({}, headers) };
    if (body !== void 0) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const data2 = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
      }
      throw new ApiError(String(data2 && (data2.message || data2.error || data2.detail) || `HTTP ${response.status}`), response.status, data2);
    }
    return data2;
  }
  function h(tag, props, ...children) {
    const { dataset, ...properties } = props || {};
    const node = Object.assign(document.createElement(tag), properties);
    Object.assign(node.dataset, dataset);
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== void 0 && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }
  function swatch(className, style) {
    const key = h("i", className ? { className } : null);
    Object.assign(key.style, style);
    return key;
  }
  var textLines = (...lines) => h("span", null, lines.map((line, i) => i ? [h("br"), line] : line));
  var numberFormat = new Intl.NumberFormat("zh-CN");
  var number = (x) => numberFormat.format(x);

  // node_modules/@mapbox/point-geometry/index.js
  function Point(x, y) {
    this.x = x;
    this.y = y;
  }
  Point.prototype = {
    /**
     * Clone this point, returning a new point that can be modified
     * without affecting the old one.
     * @return {Point} the clone
     */
    clone() {
      return new Point(this.x, this.y);
    },
    /**
     * Add this point's x & y coordinates to another point,
     * yielding a new point.
     * @param {Point} p the other point
     * @return {Point} output point
     */
    add(p) {
      return this.clone()._add(p);
    },
    /**
     * Subtract this point's x & y coordinates to from point,
     * yielding a new point.
     * @param {Point} p the other point
     * @return {Point} output point
     */
    sub(p) {
      return this.clone()._sub(p);
    },
    /**
     * Multiply this point's x & y coordinates by point,
     * yielding a new point.
     * @param {Point} p the other point
     * @return {Point} output point
     */
    multByPoint(p) {
      return this.clone()._multByPoint(p);
    },
    /**
     * Divide this point's x & y coordinates by point,
     * yielding a new point.
     * @param {Point} p the other point
     * @return {Point} output point
     */
    divByPoint(p) {
      return this.clone()._divByPoint(p);
    },
    /**
     * Multiply this point's x & y coordinates by a factor,
     * yielding a new point.
     * @param {number} k factor
     * @return {Point} output point
     */
    mult(k) {
      return this.clone()._mult(k);
    },
    /**
     * Divide this point's x & y coordinates by a factor,
     * yielding a new point.
     * @param {number} k factor
     * @return {Point} output point
     */
    div(k) {
      return this.clone()._div(k);
    },
    /**
     * Rotate this point around the 0, 0 origin by an angle a,
     * given in radians
     * @param {number} a angle to rotate around, in radians
     * @return {Point} output point
     */
    rotate(a) {
      return this.clone()._rotate(a);
    },
    /**
     * Rotate this point around p point by an angle a,
     * given in radians
     * @param {number} a angle to rotate around, in radians
     * @param {Point} p Point to rotate around
     * @return {Point} output point
     */
    rotateAround(a, p) {
      return this.clone()._rotateAround(a, p);
    },
    /**
     * Multiply this point by a 4x1 transformation matrix
     * @param {[number, number, number, number]} m transformation matrix
     * @return {Point} output point
     */
    matMult(m) {
      return this.clone()._matMult(m);
    },
    /**
     * Calculate this point but as a unit vector from 0, 0, meaning
     * that the distance from the resulting point to the 0, 0
     * coordinate will be equal to 1 and the angle from the resulting
     * point to the 0, 0 coordinate will be the same as before.
     * @return {Point} unit vector point
     */
    unit() {
      return this.clone()._unit();
    },
    /**
     * Compute a perpendicular point, where the new y coordinate
     * is the old x coordinate and the new x coordinate is the old y
     * coordinate multiplied by -1
     * @return {Point} perpendicular point
     */
    perp() {
      return this.clone()._perp();
    },
    /**
     * Return a version of this point with the x & y coordinates
     * rounded to integers.
     * @return {Point} rounded point
     */
    round() {
      return this.clone()._round();
    },
    /**
     * Return the magnitude of this point: this is the Euclidean
     * distance from the 0, 0 coordinate to this point's x and y
     * coordinates.
     * @return {number} magnitude
     */
    mag() {
      return Math.sqrt(this.x * this.x + this.y * this.y);
    },
    /**
     * Judge whether this point is equal to another point, returning
     * true or false.
     * @param {Point} other the other point
     * @return {boolean} whether the points are equal
     */
    equals(other) {
      return this.x === other.x && this.y === other.y;
    },
    /**
     * Calculate the distance from this point to another point
     * @param {Point} p the other point
     * @return {number} distance
     */
    dist(p) {
      return Math.sqrt(this.distSqr(p));
    },
    /**
     * Calculate the distance from this point to another point,
     * without the square root step. Useful if you're comparing
     * relative distances.
     * @param {Point} p the other point
     * @return {number} distance
     */
    distSqr(p) {
      const dx = p.x - this.x, dy = p.y - this.y;
      return dx * dx + dy * dy;
    },
    /**
     * Get the angle from the 0, 0 coordinate to this point, in radians
     * coordinates.
     * @return {number} angle
     */
    angle() {
      return Math.atan2(this.y, this.x);
    },
    /**
     * Get the angle from this point to another point, in radians
     * @param {Point} b the other point
     * @return {number} angle
     */
    angleTo(b) {
      return Math.atan2(this.y - b.y, this.x - b.x);
    },
    /**
     * Get the angle between this point and another point, in radians
     * @param {Point} b the other point
     * @return {number} angle
     */
    angleWith(b) {
      return this.angleWithSep(b.x, b.y);
    },
    /**
     * Find the angle of the two vectors, solving the formula for
     * the cross product a x b = |a||b|sin(θ) for θ.
     * @param {number} x the x-coordinate
     * @param {number} y the y-coordinate
     * @return {number} the angle in radians
     */
    angleWithSep(x, y) {
      return Math.atan2(
        this.x * y - this.y * x,
        this.x * x + this.y * y
      );
    },
    /** @param {[number, number, number, number]} m */
    _matMult(m) {
      const x = m[0] * this.x + m[1] * this.y, y = m[2] * this.x + m[3] * this.y;
      this.x = x;
      this.y = y;
      return this;
    },
    /** @param {Point} p */
    _add(p) {
      this.x += p.x;
      this.y += p.y;
      return this;
    },
    /** @param {Point} p */
    _sub(p) {
      this.x -= p.x;
      this.y -= p.y;
      return this;
    },
    /** @param {number} k */
    _mult(k) {
      this.x *= k;
      this.y *= k;
      return this;
    },
    /** @param {number} k */
    _div(k) {
      this.x /= k;
      this.y /= k;
      return this;
    },
    /** @param {Point} p */
    _multByPoint(p) {
      this.x *= p.x;
      this.y *= p.y;
      return this;
    },
    /** @param {Point} p */
    _divByPoint(p) {
      this.x /= p.x;
      this.y /= p.y;
      return this;
    },
    _unit() {
      this._div(this.mag());
      return this;
    },
    _perp() {
      const y = this.y;
      this.y = this.x;
      this.x = -y;
      return this;
    },
    /** @param {number} angle */
    _rotate(angle) {
      const cos = Math.cos(angle), sin = Math.sin(angle), x = cos * this.x - sin * this.y, y = sin * this.x + cos * this.y;
      this.x = x;
      this.y = y;
      return this;
    },
    /**
     * @param {number} angle
     * @param {Point} p
     */
    _rotateAround(angle, p) {
      const cos = Math.cos(angle), sin = Math.sin(angle), x = p.x + cos * (this.x - p.x) - sin * (this.y - p.y), y = p.y + sin * (this.x - p.x) + cos * (this.y - p.y);
      this.x = x;
      this.y = y;
      return this;
    },
    _round() {
      this.x = Math.round(this.x);
      this.y = Math.round(this.y);
      return this;
    },
    constructor: Point
  };
  Point.convert = function(p) {
    if (p instanceof Point) {
      return (
        /** @type {Point} */
        p
      );
    }
    if (Array.isArray(p)) {
      return new Point(+p[0], +p[1]);
    }
    if (p.x !== void 0 && p.y !== void 0) {
      return new Point(+p.x, +p.y);
    }
    throw new Error("Expected [x, y] or {x, y} point format");
  };

  // node_modules/@mapbox/vector-tile/index.js
  var VectorTileFeature = class {
    /**
     * @param {PbfReader} pbf
     * @param {number} end
     * @param {number} extent
     * @param {string[]} keys
     * @param {(number | string | boolean)[]} values
     */
    constructor(pbf, end, extent, keys, values) {
      this.properties = /* @__PURE__ */ Object.create(null);
      this.extent = extent;
      this.type = 0;
      this.id = void 0;
      this._pbf = pbf;
      this._geometry = -1;
      this._keys = keys;
      this._values = values;
      while (pbf.pos < end) {
        const tag = pbf.readVarint();
        if (tag === 8) this.id = pbf.readVarint();
        else if (tag === 18) {
          const tagsEnd = pbf.readVarint() + pbf.pos;
          while (pbf.pos < tagsEnd) {
            const key = keys[pbf.readVarint()];
            const value = values[pbf.readVarint()];
            this.properties[key] = value;
          }
        } else if (tag === 24) this.type = /** @type {0 | 1 | 2 | 3} */
        pbf.readVarint();
        else if (tag === 34) {
          this._geometry = pbf.pos;
          pbf.skip(tag);
        } else pbf.skip(tag);
      }
    }
    loadGeometry() {
      if (this._geometry < 0) throw new Error("feature has no geometry");
      const pbf = this._pbf;
      pbf.pos = this._geometry;
      const end = pbf.readVarint() + pbf.pos;
      const lines = [];
      let line;
      let cmd = 1;
      let length = 0;
      let x = 0;
      let y = 0;
      while (pbf.pos < end) {
        if (length <= 0) {
          const cmdLen = pbf.readVarint();
          cmd = cmdLen & 7;
          length = cmdLen >> 3;
          if (length === 0) continue;
        }
        length--;
        if (cmd === 1) {
          x += pbf.readSVarint();
          y += pbf.readSVarint();
          if (line) lines.push(line);
          line = [new Point(x, y)];
        } else if (cmd === 2) {
          x += pbf.readSVarint();
          y += pbf.readSVarint();
          if (line) line.push(new Point(x, y));
        } else if (cmd === 7) {
          if (line) {
            line.push(line[0].clone());
          }
        } else {
          throw new Error(`unknown command ${cmd}`);
        }
      }
      if (line) lines.push(line);
      return lines;
    }
    bbox() {
      if (this._geometry < 0) throw new Error("feature has no geometry");
      const pbf = this._pbf;
      pbf.pos = this._geometry;
      const end = pbf.readVarint() + pbf.pos;
      let cmd = 1, length = 0, x = 0, y = 0, x1 = Infinity, x2 = -Infinity, y1 = Infinity, y2 = -Infinity;
      while (pbf.pos < end) {
        if (length <= 0) {
          const cmdLen = pbf.readVarint();
          cmd = cmdLen & 7;
          length = cmdLen >> 3;
          if (length === 0) continue;
        }
        length--;
        if (cmd === 1 || cmd === 2) {
          x += pbf.readSVarint();
          y += pbf.readSVarint();
          if (x < x1) x1 = x;
          if (x > x2) x2 = x;
          if (y < y1) y1 = y;
          if (y > y2) y2 = y;
        } else if (cmd !== 7) {
          throw new Error(`unknown command ${cmd}`);
        }
      }
      return [x1, y1, x2, y2];
    }
    /**
     * @param {number} x
     * @param {number} y
     * @param {number} z
     * @return {Feature}
     */
    toGeoJSON(x, y, z) {
      const size = this.extent * Math.pow(2, z), x0 = this.extent * x, y0 = this.extent * y, vtCoords = this.loadGeometry();
      function projectPoint(p) {
        return [
          (p.x + x0) * 360 / size - 180,
          360 / Math.PI * Math.atan(Math.exp((1 - (p.y + y0) * 2 / size) * Math.PI)) - 90
        ];
      }
      function projectLine(line) {
        return line.map(projectPoint);
      }
      let geometry;
      if (this.type === 1) {
        const points = [];
        for (const line of vtCoords) {
          points.push(line[0]);
        }
        const coordinates = projectLine(points);
        geometry = points.length === 1 ? { type: "Point", coordinates: coordinates[0] } : { type: "MultiPoint", coordinates };
      } else if (this.type === 2) {
        const coordinates = vtCoords.map(projectLine);
        geometry = coordinates.length === 1 ? { type: "LineString", coordinates: coordinates[0] } : { type: "MultiLineString", coordinates };
      } else if (this.type === 3) {
        const polygons = classifyRings(vtCoords);
        const coordinates = [];
        for (const polygon of polygons) {
          coordinates.push(polygon.map(projectLine));
        }
        geometry = coordinates.length === 1 ? { type: "Polygon", coordinates: coordinates[0] } : { type: "MultiPolygon", coordinates };
      } else {
        throw new Error("unknown feature type");
      }
      const result = {
        type: "Feature",
        geometry,
        properties: this.properties
      };
      if (this.id != null) {
        result.id = this.id;
      }
      return result;
    }
  };
  VectorTileFeature.types = ["Unknown", "Point", "LineString", "Polygon"];
  function classifyRings(rings) {
    const len = rings.length;
    if (len <= 1) return [rings];
    const polygons = [];
    let polygon, ccw;
    for (let i = 0; i < len; i++) {
      const area = signedArea(rings[i]);
      if (area === 0) continue;
      if (ccw === void 0) ccw = area < 0;
      if (ccw === area < 0) {
        if (polygon) polygons.push(polygon);
        polygon = [rings[i]];
      } else if (polygon) {
        polygon.push(rings[i]);
      }
    }
    if (polygon) polygons.push(polygon);
    return polygons;
  }
  function signedArea(ring) {
    let sum = 0;
    for (let i = 0, len = ring.length, j = len - 1, p1, p2; i < len; j = i++) {
      p1 = ring[i];
      p2 = ring[j];
      sum += (p2.x - p1.x) * (p1.y + p2.y);
    }
    return sum;
  }
  var VectorTileLayer = class {
    /**
     * @param {PbfReader} pbf
     * @param {number} [end]
     */
    constructor(pbf, end) {
      this.version = 1;
      this.name = "";
      this.extent = 4096;
      this.length = 0;
      this._pbf = pbf;
      this._keys = [];
      this._values = [];
      this._features = [];
      if (end === void 0) end = pbf.length;
      while (pbf.pos < end) {
        const tag = pbf.readVarint();
        if (tag === 10) this.name = pbf.readString();
        else if (tag === 18) {
          this._features.push(pbf.pos);
          pbf.skip(tag);
        } else if (tag === 26) this._keys.push(pbf.readString());
        else if (tag === 34) this._values.push(readValueMessage(pbf));
        else if (tag === 40) this.extent = pbf.readVarint();
        else if (tag === 120) this.version = pbf.readVarint();
        else pbf.skip(tag);
      }
      this.length = this._features.length;
    }
    /** return feature `i` from this layer as a `VectorTileFeature`
     * @param {number} i
     */
    feature(i) {
      if (i < 0 || i >= this._features.length) throw new Error("feature index out of bounds");
      this._pbf.pos = this._features[i];
      const end = this._pbf.readVarint() + this._pbf.pos;
      return new VectorTileFeature(this._pbf, end, this.extent, this._keys, this._values);
    }
  };
  function readValueMessage(pbf) {
    let value = null;
    const end = pbf.readVarint() + pbf.pos;
    while (pbf.pos < end) {
      const tag = pbf.readVarint();
      value = tag === 10 ? pbf.readString() : tag === 21 ? pbf.readFloat() : tag === 25 ? pbf.readDouble() : tag === 32 ? pbf.readVarint(true) : tag === 40 ? pbf.readVarint() : tag === 48 ? pbf.readSVarint() : tag === 56 ? pbf.readBoolean() : (pbf.skip(tag), null);
    }
    if (value == null) {
      throw new Error("unknown feature value");
    }
    return value;
  }
  var VectorTile = class {
    /**
     * @param {PbfReader} pbf
     * @param {number} [end]
     */
    constructor(pbf, end = pbf.length) {
      const layers = /* @__PURE__ */ Object.create(null);
      while (pbf.pos < end) {
        const tag = pbf.readVarint();
        if (tag === 26) {
          const layer = new VectorTileLayer(pbf, pbf.readVarint() + pbf.pos);
          if (layer.length) layers[layer.name] = layer;
        } else pbf.skip(tag);
      }
      this.layers = layers;
    }
  };

  // node_modules/pbf/index.js
  var SHIFT_LEFT_32 = (1 << 16) * (1 << 16);
  var SHIFT_RIGHT_32 = 1 / SHIFT_LEFT_32;
  var TEXT_DECODER_MIN_LENGTH = 12;
  var utf8TextDecoder = typeof TextDecoder === "undefined" ? null : new TextDecoder("utf-8");
  var PBF_VARINT = 0;
  var PBF_FIXED64 = 1;
  var PBF_BYTES = 2;
  var PBF_FIXED32 = 5;
  var PbfReader = class {
    /**
     * @param {Uint8Array | ArrayBuffer} buf
     */
    constructor(buf) {
      this.buf = ArrayBuffer.isView(buf) ? buf : new Uint8Array(buf);
      this.dataView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      this.pos = 0;
      this.type = 0;
      this._valueStart = -1;
      this.length = this.buf.length;
    }
    /**
     * @template T
     * @param {(tag: number, result: T, pbf: PbfReader) => void} readField
     * @param {T} result
     * @param {number} [end]
     */
    readFields(readField, result, end = this.length) {
      let field;
      while (field = this.nextField(end)) {
        readField(field, result, this);
      }
      return result;
    }
    /**
     * @template T
     * @param {(tag: number, result: T, pbf: PbfReader) => void} readField
     * @param {T} result
     */
    readMessage(readField, result) {
      return this.readFields(readField, result, this.readVarint() + this.pos);
    }
    readFixed32() {
      const val = this.dataView.getUint32(this.pos, true);
      this.pos += 4;
      return val;
    }
    readSFixed32() {
      const val = this.dataView.getInt32(this.pos, true);
      this.pos += 4;
      return val;
    }
    // 64-bit int handling is based on github.com/dpw/node-buffer-more-ints (MIT-licensed)
    readFixed64() {
      const val = this.dataView.getUint32(this.pos, true) + this.dataView.getUint32(this.pos + 4, true) * SHIFT_LEFT_32;
      this.pos += 8;
      return val;
    }
    readSFixed64() {
      const val = this.dataView.getUint32(this.pos, true) + this.dataView.getInt32(this.pos + 4, true) * SHIFT_LEFT_32;
      this.pos += 8;
      return val;
    }
    readFloat() {
      const val = this.dataView.getFloat32(this.pos, true);
      this.pos += 4;
      return val;
    }
    readDouble() {
      const val = this.dataView.getFloat64(this.pos, true);
      this.pos += 8;
      return val;
    }
    /**
     * @param {boolean} [isSigned]
     */
    readVarint(isSigned) {
      const buf = this.buf;
      const b0 = buf[this.pos++];
      if (b0 < 128) return b0;
      let val = b0 & 127, b;
      b = buf[this.pos++];
      val |= (b & 127) << 7;
      if (b < 128) return val;
      b = buf[this.pos++];
      val |= (b & 127) << 14;
      if (b < 128) return val;
      b = buf[this.pos++];
      val |= (b & 127) << 21;
      if (b < 128) return val;
      b = buf[this.pos];
      val |= (b & 15) << 28;
      return readVarintRemainder(val, isSigned, this);
    }
    readSVarint() {
      const num = this.readVarint();
      return num % 2 === 1 ? (num + 1) / -2 : num / 2;
    }
    readBoolean() {
      return Boolean(this.readVarint());
    }
    readString() {
      const end = this.readVarint() + this.pos;
      const pos = this.pos;
      this.pos = end;
      if (end - pos >= TEXT_DECODER_MIN_LENGTH && utf8TextDecoder) {
        return utf8TextDecoder.decode(this.buf.subarray(pos, end));
      }
      return readUtf8(this.buf, pos, end);
    }
    readBytes() {
      const end = this.readVarint() + this.pos, buffer = this.buf.subarray(this.pos, end);
      this.pos = end;
      return buffer;
    }
    // verbose for performance reasons; doesn't affect gzipped size
    /**
     * @param {number[]} [arr]
     * @param {boolean} [isSigned]
     */
    readPackedVarint(arr = [], isSigned) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readVarint(isSigned));
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedSVarint(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readSVarint());
      return arr;
    }
    /** @param {boolean[]} [arr] */
    readPackedBoolean(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readBoolean());
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedFloat(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readFloat());
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedDouble(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readDouble());
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedFixed32(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readFixed32());
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedSFixed32(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readSFixed32());
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedFixed64(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readFixed64());
      return arr;
    }
    /** @param {number[]} [arr] */
    readPackedSFixed64(arr = []) {
      const end = this.readPackedEnd();
      while (this.pos < end) arr.push(this.readSFixed64());
      return arr;
    }
    readPackedEnd() {
      return this.type === PBF_BYTES ? this.readVarint() + this.pos : this.pos + 1;
    }
    /**
     * Advance to the next field. Returns the field number, or 0 at end-of-message.
     * @param {number} [end]
     */
    nextField(end = this.length) {
      if (this.pos === this._valueStart) this.skip(this.type);
      if (this.pos >= end) return 0;
      const tag = this.readVarint();
      this.type = tag & 7;
      this._valueStart = this.pos;
      return tag >>> 3;
    }
    /** @param {number} val */
    skip(val) {
      const type = val & 7;
      if (type === PBF_VARINT) while (this.buf[this.pos++] > 127) {
      }
      else if (type === PBF_BYTES) this.pos = this.readVarint() + this.pos;
      else if (type === PBF_FIXED32) this.pos += 4;
      else if (type === PBF_FIXED64) this.pos += 8;
      else throw new Error(`Unimplemented type: ${type}`);
    }
  };
  function readVarintRemainder(l, s, p) {
    const buf = p.buf;
    let h2, b;
    b = buf[p.pos++];
    h2 = (b & 112) >> 4;
    if (b < 128) return toNum(l, h2, s);
    b = buf[p.pos++];
    h2 |= (b & 127) << 3;
    if (b < 128) return toNum(l, h2, s);
    b = buf[p.pos++];
    h2 |= (b & 127) << 10;
    if (b < 128) return toNum(l, h2, s);
    b = buf[p.pos++];
    h2 |= (b & 127) << 17;
    if (b < 128) return toNum(l, h2, s);
    b = buf[p.pos++];
    h2 |= (b & 127) << 24;
    if (b < 128) return toNum(l, h2, s);
    b = buf[p.pos++];
    h2 |= (b & 1) << 31;
    if (b < 128) return toNum(l, h2, s);
    throw new Error("Expected varint not more than 10 bytes");
  }
  function toNum(low, high, isSigned) {
    return isSigned ? high * 4294967296 + (low >>> 0) : (high >>> 0) * 4294967296 + (low >>> 0);
  }
  function readUtf8(buf, pos, end) {
    let str = "";
    let i = pos;
    while (i < end) {
      const b0 = buf[i];
      let c = null;
      let bytesPerSequence = b0 > 239 ? 4 : b0 > 223 ? 3 : b0 > 191 ? 2 : 1;
      if (i + bytesPerSequence > end) break;
      let b1, b2, b3;
      if (bytesPerSequence === 1) {
        if (b0 < 128) {
          c = b0;
        }
      } else if (bytesPerSequence === 2) {
        b1 = buf[i + 1];
        if ((b1 & 192) === 128) {
          c = (b0 & 31) << 6 | b1 & 63;
          if (c <= 127) {
            c = null;
          }
        }
      } else if (bytesPerSequence === 3) {
        b1 = buf[i + 1];
        b2 = buf[i + 2];
        if ((b1 & 192) === 128 && (b2 & 192) === 128) {
          c = (b0 & 15) << 12 | (b1 & 63) << 6 | b2 & 63;
          if (c <= 2047 || c >= 55296 && c <= 57343) {
            c = null;
          }
        }
      } else if (bytesPerSequence === 4) {
        b1 = buf[i + 1];
        b2 = buf[i + 2];
        b3 = buf[i + 3];
        if ((b1 & 192) === 128 && (b2 & 192) === 128 && (b3 & 192) === 128) {
          c = (b0 & 15) << 18 | (b1 & 63) << 12 | (b2 & 63) << 6 | b3 & 63;
          if (c <= 65535 || c >= 1114112) {
            c = null;
          }
        }
      }
      if (c === null) {
        c = 65533;
        bytesPerSequence = 1;
      } else if (c > 65535) {
        c -= 65536;
        str += String.fromCharCode(c >>> 10 & 1023 | 55296);
        c = 56320 | c & 1023;
      }
      str += String.fromCharCode(c);
      i += bytesPerSequence;
    }
    return str;
  }

  // maps/frontend/mvt-data.js
  var TILE = 256;
  var HIT_SLOP_PX = 3;
  function decode(buffer) {
    const layers = {};
    if (!buffer.byteLength) return layers;
    const tile = new VectorTile(new PbfReader(buffer));
    for (const name of Object.keys(tile.layers)) {
      const layer = tile.layers[name];
      const scale = TILE / layer.extent;
      const features2 = [];
      for (let i = 0; i < layer.length; i++) {
        const feature = layer.feature(i);
        const rings = feature.loadGeometry().map((ring) => ring.map((p) => [p.x * scale, p.y * scale]));
        features2.push({ type: feature.type, properties: feature.properties, rings, path: null });
      }
      layers[name] = features2;
    }
    return layers;
  }
  var LruCache = class {
    constructor(size) {
      this.size = size;
      this.entries = /* @__PURE__ */ new Map();
    }
    get(key, load2) {
      let promise = this.entries.get(key);
      if (promise) {
        this.entries.delete(key);
      } else {
        promise = load2();
        promise.catch(() => {
          if (this.entries.get(key) === promise) this.entries.delete(key);
        });
      }
      this.entries.set(key, promise);
      if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value);
      return promise;
    }
  };
  function insideRings(rings, x, y) {
    let inside2 = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside2 = !inside2;
      }
    }
    return inside2;
  }
  function segmentDistance([ax, ay], [bx, by], x, y) {
    const dx = bx - ax;
    const dy = by - ay;
    const length2 = dx * dx + dy * dy;
    const t = length2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2)) : 0;
    return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
  }
  function hits(feature, style, x, y) {
    if (feature.type === 1) {
      const reach2 = (style.radius || 4) + HIT_SLOP_PX;
      return feature.rings.some((ring) => ring.some(([px, py]) => Math.abs(px - x) <= reach2 && Math.abs(py - y) <= reach2));
    }
    if (feature.type === 3) return insideRings(feature.rings, x, y);
    const reach = (style.weight ?? 1) / 2 + HIT_SLOP_PX;
    return feature.rings.some((ring) => ring.some((point, i) => i > 0 && segmentDistance(ring[i - 1], point, x, y) <= reach));
  }

  // maps/frontend/mvt.js
  var decoded = new LruCache(1500);
  function loadTile(url) {
    return decoded.get(url, () => fetch(url, { credentials: "same-origin" }).then(async (response) => {
      if (response.status === 401 || response.status === 403) {
        window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
        throw new Error("not logged in");
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return decode(await response.arrayBuffer());
    }));
  }
  function pathOf(feature) {
    if (feature.path) return feature.path;
    const path = new Path2D();
    for (const ring of feature.rings) {
      ring.forEach(([x, y], i) => i ? path.lineTo(x, y) : path.moveTo(x, y));
      if (feature.type === 3) path.closePath();
    }
    feature.path = path;
    return path;
  }
  function strokeWith(ctx, path, color, weight, opacity, dash) {
    ctx.globalAlpha = opacity;
    ctx.strokeStyle = color;
    ctx.lineWidth = weight;
    ctx.setLineDash(dash || []);
    ctx.stroke(path);
  }
  function drawPoints(ctx, feature, style) {
    const r = style.radius || 4;
    for (const ring of feature.rings) {
      for (const [x, y] of ring) {
        const path = new Path2D();
        if (style.shape === "square") path.rect(x - r, y - r, 2 * r, 2 * r);
        else path.arc(x, y, r, 0, 2 * Math.PI);
        ctx.globalAlpha = style.fillOpacity ?? 1;
        ctx.fillStyle = style.fillColor || style.color;
        ctx.fill(path);
        if (style.weight) strokeWith(ctx, path, style.color, style.weight, style.opacity ?? 1, null);
      }
    }
  }
  function drawFeature(ctx, feature, style) {
    if (feature.type === 1) return drawPoints(ctx, feature, style);
    const path = pathOf(feature);
    if (feature.type === 3 && style.fillColor && style.fillOpacity) {
      ctx.globalAlpha = style.fillOpacity;
      ctx.fillStyle = style.fillColor;
      ctx.fill(path, "evenodd");
    }
    if (style.casing) strokeWith(ctx, path, style.casing.color, style.casing.weight, style.opacity ?? 1, null);
    if (style.color && style.weight !== 0) {
      strokeWith(ctx, path, style.color, style.weight ?? 1, style.opacity ?? 1, style.dashArray);
    }
  }
  L.GeoGridVectorTiles = L.GridLayer.extend({
    options: { sources: {}, labels: null, tileset: "" },
    initialize(url, options) {
      this._url = url;
      L.GridLayer.prototype.initialize.call(this, options);
      this._labels = /* @__PURE__ */ new Map();
      this.on("tileunload", (e) => {
        e.tile._unloaded = true;
        this._releaseLabels(e.tile);
      });
    },
    onAdd(map2) {
      L.GridLayer.prototype.onAdd.call(this, map2);
      map2.on("zoomend", this._fitLabels, this);
    },
    onRemove(map2) {
      map2.off("zoomend", this._fitLabels, this);
      L.GridLayer.prototype.onRemove.call(this, map2);
      for (const entry of this._labels.values()) map2.removeLayer(entry.tooltip);
      this._labels.clear();
    },
    createTile(coords, done) {
      const canvas = L.DomUtil.create("canvas", "mvt-tile");
      const size = this.getTileSize();
      const ratio = window.devicePixelRatio || 1;
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.dataset.tileset = this.options.tileset;
      loadTile(L.Util.template(this._url, { z: coords.z, x: coords.x, y: coords.y })).then((layers) => {
        canvas._mvt = layers;
        canvas._coords = coords;
        this._draw(canvas);
        this._addLabels(canvas);
        done(null, canvas);
      }).catch((error) => done(error, canvas));
      return canvas;
    },
    _draw(canvas) {
      const ctx = canvas.getContext("2d");
      const ratio = canvas.width / TILE;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, TILE, TILE);
      ctx.lineJoin = "round";
      ctx.lineCap = "round";
      let drawn = 0;
      for (const [name, styleOf] of Object.entries(this.options.sources)) {
        for (const feature of canvas._mvt[name] || []) {
          const style = styleOf(feature.properties, canvas._coords.z);
          if (style) {
            drawFeature(ctx, feature, style);
            drawn++;
          }
        }
      }
      canvas.dataset.features = String(drawn);
    },
    /** Draw every loaded tile again (after the styles' inputs changed), without fetching anything. */
    restyle() {
      for (const tile of Object.values(this._tiles || {})) {
        if (tile.el._mvt) this._draw(tile.el);
      }
      return this;
    },
    /** The features drawn under a point, topmost first: [{source, properties}]. */
    featuresAt(latlng) {
      if (!this._map || this._tileZoom === void 0) return [];
      const size = this.getTileSize();
      const point = this._map.project(latlng, this._tileZoom);
      const coords = L.point(Math.floor(point.x / size.x), Math.floor(point.y / size.y));
      coords.z = this._tileZoom;
      const tile = this._tiles[this._tileCoordsToKey(coords)];
      if (!tile || !tile.el._mvt) return [];
      const x = (point.x - coords.x * size.x) * TILE / size.x;
      const y = (point.y - coords.y * size.y) * TILE / size.y;
      const found = [];
      for (const [name, styleOf] of Object.entries(this.options.sources).reverse()) {
        const features2 = tile.el._mvt[name] || [];
        for (let i = features2.length - 1; i >= 0; i--) {
          const style = styleOf(features2[i].properties, coords.z);
          if (style && style.interactive !== false && hits(features2[i], style, x, y)) {
            found.push({ source: name, properties: features2[i].properties });
          }
        }
      }
      return found;
    },
    /** The properties of the first loaded feature of `source` that `test` accepts, or null. */
    findProperties(source, test) {
      for (const tile of Object.values(this._tiles || {})) {
        const feature = ((tile.el._mvt || {})[source] || []).find((f) => test(f.properties));
        if (feature) return feature.properties;
      }
      return null;
    },
    /* ----- labels: one permanent tooltip per key, counted by the tiles holding it ----- */
    _addLabels(canvas) {
      const spec = this.options.labels;
      canvas._labelKeys = [];
      if (!spec || !this._map || canvas._unloaded) return;
      const { x, y, z } = canvas._coords;
      for (const feature of canvas._mvt[spec.source] || []) {
        const key = spec.key(feature.properties);
        let entry = this._labels.get(key);
        if (!entry) {
          const [px, py] = feature.rings[0][0];
          const latlng = this._map.unproject([x * TILE + px, y * TILE + py], z);
          const tooltip = L.tooltip({
            permanent: true,
            direction: "center",
            className: spec.className,
            interactive: false
          }).setLatLng(latlng).setContent(spec.content(feature.properties));
          entry = { tooltip, count: 0, properties: feature.properties };
          this._labels.set(key, entry);
          this._map.addLayer(tooltip);
          this._fitLabel(entry);
        }
        entry.count++;
        canvas._labelKeys.push(key);
      }
    },
    _releaseLabels(canvas) {
      for (const key of canvas._labelKeys || []) {
        const entry = this._labels.get(key);
        if (entry && --entry.count === 0) {
          if (this._map) this._map.removeLayer(entry.tooltip);
          this._labels.delete(key);
        }
      }
      canvas._labelKeys = [];
    },
    _fitLabel(entry) {
      entry.tooltip.setOpacity(this.options.labels.fits(entry.properties, this._map.getZoom()) ? 1 : 0);
    },
    _fitLabels() {
      for (const entry of this._labels.values()) this._fitLabel(entry);
    }
  });
  L.geogridVectorTiles = (url, options) => new L.GeoGridVectorTiles(url, options);

  // maps/frontend/basemap.js
  function createMap(element, { center = [35, 105], zoom = 4, prefix = "GeoGrid · Leaflet", panes = {}, ...options } = {}) {
    const map2 = L.map(element, options).setView(center, zoom);
    map2.attributionControl.setPrefix(prefix);
    for (const [name, zIndex] of Object.entries(panes)) map2.createPane(name).style.zIndex = zIndex;
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map2);
    return map2;
  }

  // geogrid/adjustments/frontend/adjust-common.js
  async function api(url, { method = "GET", body } = {}) {
    try {
      return await fetchJSON(url, { method, body });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const data2 = error.body;
      const text = data2 && (data2.message || data2.error || data2.detail) || `服务器返回 ${error.status}`;
      throw new ApiError(String(text), error.status, data2);
    }
  }
  var fmt = {
    int: (n) => number(n || 0),
    /** 12,345 m² / 1.23 ha */
    area: (m2) => `${number(Math.round(m2 || 0))} m² / ${((m2 || 0) / 1e4).toFixed(2)} ha`,
    time: (iso) => iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : ""
  };
  function shortCode(code, communityCode) {
    return communityCode && code.startsWith(communityCode) && code.length > communityCode.length ? code.slice(communityCode.length) : code;
  }
  function labelPoint(geometry) {
    const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    const largest = polygons.reduce((best2, p) => ringArea(p[0]) > ringArea(best2[0]) ? p : best2, polygons[0]);
    const xs = largest[0].map((c) => c[0]);
    const ys = largest[0].map((c) => c[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.cos((minY + maxY) / 2 * Math.PI / 180);
    const steps = 24;
    let best = null;
    let bestDistance = -1;
    for (let i = 0; i <= steps; i += 1) {
      for (let j = 0; j <= steps; j += 1) {
        const x = minX + (maxX - minX) * (i + 0.5) / (steps + 1);
        const y = minY + (maxY - minY) * (j + 0.5) / (steps + 1);
        if (!inside(largest, x, y)) continue;
        const d = Math.min(...largest.map((ring) => ringDistance(ring, x, y, k)));
        if (d > bestDistance) {
          bestDistance = d;
          best = [y, x];
        }
      }
    }
    return best || [(minY + maxY) / 2, (minX + maxX) / 2];
  }
  function ringArea(ring) {
    let a = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
    return Math.abs(a / 2);
  }
  function inside(polygon, x, y) {
    let result = false;
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < (xj - xi) * (y - yi) / (yj - yi) + xi) result = !result;
      }
    }
    return result;
  }
  function ringDistance(ring, x, y, k) {
    let best = Infinity;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const ax = ring[j][0] * k;
      const ay = ring[j][1];
      const bx = ring[i][0] * k;
      const by = ring[i][1];
      const px = x * k;
      const dx = bx - ax;
      const dy = by - ay;
      const t = dx || dy ? Math.max(0, Math.min(1, ((px - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy))) : 0;
      best = Math.min(best, Math.hypot(px - ax - t * dx, y - ay - t * dy));
    }
    return best;
  }
  function gridLabel(feature, content) {
    return L.tooltip({ permanent: true, direction: "center", className: "grid-label" }).setLatLng(labelPoint(feature.geometry)).setContent(content);
  }
  function diffLayer(before, after, touched, communityCode) {
    const codeOf = (f) => f.properties.code;
    const touchedSet = new Set(touched || []);
    const group = L.featureGroup();
    L.geoJSON(after, {
      pmIgnore: true,
      snapIgnore: true,
      style: (f) => touchedSet.has(codeOf(f)) ? { color: "#e8590c", weight: 3, fillColor: "#ffa94d", fillOpacity: 0.45 } : { color: "#1d4f91", weight: 1.5, fillColor: "#74c0fc", fillOpacity: 0.25 },
      onEachFeature: (f, layer) => {
        gridLabel(f, h("b", null, shortCode(codeOf(f), communityCode))).addTo(group);
        layer.bindPopup(() => textLines(`${codeOf(f)} ${f.properties.name}（调整后）`));
      }
    }).addTo(group);
    L.geoJSON(before, {
      // only the grids that change: the others' outlines are the same before and after
      pmIgnore: true,
      snapIgnore: true,
      interactive: false,
      filter: (f) => touchedSet.has(codeOf(f)),
      style: { color: "#c92a2a", weight: 2.5, dashArray: "7 5", fill: false }
    }).addTo(group);
    return group;
  }
  function diffLegend() {
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      div.append(
        h("div", null, swatch("", { borderColor: "#c92a2a", borderStyle: "dashed" }), "调整前（变动的网格）"),
        h("div", null, swatch("", { borderColor: "#1d4f91", background: "#74c0fc80" }), "调整后"),
        h("div", null, swatch("", { borderColor: "#e8590c", background: "#ffa94d99" }), "变动的网格")
      );
      return div;
    };
    return legend;
  }

  // geogrid/adjustments/frontend/editor-drafts.js
  var KEEP = 50;
  var DraftStack = class {
    /** entries: [{draft, changed: [codes], removed: [codes], label}], the first being the loaded grids. */
    constructor(storageKey) {
      this.storageKey = storageKey;
      this.base = {};
      this.entries = [];
      this.index = -1;
      this.savedAt = null;
    }
    /** Start over from the grids as the server has them now. */
    reset(draft, base) {
      this.base = base;
      this.entries = [{ draft, changed: [], removed: [], label: "现行网格" }];
      this.index = 0;
      this.forget();
    }
    current() {
      return this.entries[this.index];
    }
    push(entry) {
      this.entries = this.entries.slice(0, this.index + 1);
      this.entries.push(entry);
      if (this.entries.length > KEEP) this.entries.splice(1, this.entries.length - KEEP);
      this.index = this.entries.length - 1;
      this.save();
    }
    canUndo() {
      return this.index > 0;
    }
    canRedo() {
      return this.index < this.entries.length - 1;
    }
    undo() {
      if (this.canUndo()) this.index -= 1;
      this.save();
      return this.current();
    }
    redo() {
      if (this.canRedo()) this.index += 1;
      this.save();
      return this.current();
    }
    /** Whether the current draft differs from the loaded grids. */
    dirty() {
      return this.index > 0;
    }
    /** Codes changed or added since the loaded grids (still present), and loaded codes now removed. */
    touched() {
      const changed = /* @__PURE__ */ new Set();
      const removed = /* @__PURE__ */ new Set();
      for (const entry of this.entries.slice(1, this.index + 1)) {
        entry.changed.forEach((c) => changed.add(c));
        entry.removed.forEach((c) => removed.add(c));
      }
      const present = new Set(this.current().draft.features.map((f) => f.properties.code));
      return {
        changed: [...changed].filter((c) => present.has(c)).sort(),
        removed: [...removed].filter((c) => !present.has(c) && c in this.base).sort()
      };
    }
    save() {
      if (!this.storageKey) return;
      try {
        if (this.entries.length > 1) {
          this.savedAt = (/* @__PURE__ */ new Date()).toISOString();
          localStorage.setItem(this.storageKey, JSON.stringify({
            version: 1,
            base: this.base,
            entries: this.entries,
            index: this.index,
            savedAt: this.savedAt
          }));
        } else {
          this.forget();
        }
      } catch (error) {
      }
    }
    /** Load a saved session; returns whether there was one with edits in it. */
    restore() {
      try {
        const saved = JSON.parse(localStorage.getItem(this.storageKey) || "null");
        if (!saved || saved.version !== 1 || !Array.isArray(saved.entries) || saved.entries.length < 2) return false;
        this.base = saved.base || {};
        this.entries = saved.entries;
        this.index = Math.min(Math.max(saved.index | 0, 0), saved.entries.length - 1);
        this.savedAt = saved.savedAt;
        return true;
      } catch (error) {
        return false;
      }
    }
    forget() {
      try {
        localStorage.removeItem(this.storageKey);
      } catch (error) {
      }
    }
  };

  // geogrid/adjustments/frontend/editor-table.js
  var NEW_PREFIX = "新";
  var COUNTS = ["households", "resident_households", "population", "buildings", "area_m2"];
  function render(table, features2, marks, short2) {
    const rows = [];
    const total = Object.fromEntries(COUNTS.map((k) => [k, 0]));
    for (const f of features2) {
      const p = f.properties;
      const s = p.stats || {};
      COUNTS.forEach((k) => {
        total[k] += s[k] || 0;
      });
      const violations = s.violations || [];
      const code = p.code;
      const classes = [
        "grid-row",
        marks.changed.has(code) && "changed",
        marks.last.has(code) && "last",
        violations.length && "violation",
        marks.picked.has(code) && "picked",
        marks.conflicts.has(code) && "conflict"
      ].filter(Boolean).join(" ");
      const isNew = code.startsWith(NEW_PREFIX);
      let name;
      if (isNew) {
        name = h("input", { className: "name-input", dataset: { code }, defaultValue: p.name, maxLength: 100 });
        name.setAttribute("aria-label", `新网格 ${code} 的名称`);
      } else {
        name = h("span", { className: "name" }, p.name);
      }
      rows.push(h(
        "tr",
        { className: classes, dataset: { code }, title: code },
        h(
          "td",
          { className: "grid-cell" },
          h("b", { className: "code" }, short2(code)),
          isNew ? h("span", { className: "tag" }, "新网格") : null,
          h("br"),
          name
        ),
        cells(s)
      ));
      if (violations.length) {
        rows.push(h("tr", { className: "violations", dataset: { code } }, h("td", { colSpan: 6 }, `⚠ ${violations.join("；")}`)));
      }
    }
    table.tBodies[0].replaceChildren(...rows);
    table.tFoot.replaceChildren(h("tr", null, h("td", null, `合计 ${features2.length} 个网格`), cells(total)));
  }
  function cells(s) {
    return [
      h("td", { className: "households" }, fmt.int(s.households)),
      h("td", { className: "resident" }, fmt.int(s.resident_households)),
      h("td", { className: "population" }, fmt.int(s.population)),
      h("td", { className: "buildings" }, fmt.int(s.buildings)),
      h("td", { className: "area" }, fmt.area(s.area_m2))
    ];
  }

  // geogrid/adjustments/frontend/editor-history.js
  var message = (kind, ...content) => h("div", { className: `message ${kind}` }, ...content);
  var requestLink = (id) => h("a", { href: `/adjustments/?request=${id}` }, `#${id}`);
  function create({ map: map2, panel: panel2, historyUrl, restoreUrl, communityCode, onRestored }) {
    const $2 = (selector) => panel2.querySelector(selector);
    const short2 = (code) => shortCode(code, communityCode);
    const legend = diffLegend();
    let layer = null;
    async function show() {
      $2(".history-detail").hidden = true;
      const list = $2(".history-list");
      list.replaceChildren(h("li", null, "正在载入…"));
      try {
        const { versions } = await api(historyUrl);
        list.replaceChildren(...versions.length ? versions.map(item) : [h("li", null, "没有历史版本。")]);
        list.querySelectorAll(".version").forEach((li) => {
          const open = () => openVersion(versions[li.dataset.index], li.dataset.index === "0", li);
          li.addEventListener("click", open);
          li.addEventListener("keydown", (e) => {
            if (e.key === "Enter") open();
          });
        });
      } catch (error) {
        list.replaceChildren(h("li", { className: "message error" }, `无法载入历史版本：${error.message}`));
      }
    }
    function item(v, i) {
      return h(
        "li",
        { className: "version", tabIndex: 0, dataset: { generation: v.generation, index: i } },
        h("b", null, `第 ${v.generation} 版`),
        i === 0 ? [" ", h("span", { className: "tag" }, "现行")] : null,
        " ",
        h("small", null, fmt.time(v.created_at), v.by ? ` · ${v.by}` : null),
        h("div", null, v.description),
        h("small", null, describe(v))
      );
    }
    function describe(v) {
      const part = (label, codes) => codes.length ? `${label} ${codes.map(short2).join("、")}` : "";
      return [part("新增", v.added), part("变更", v.changed), part("撤销", v.removed)].filter(Boolean).join("；");
    }
    async function openVersion(version, current, li) {
      $2(".history-list").querySelectorAll(".version").forEach((el) => el.classList.toggle("active", el === li));
      const detail = $2(".history-detail");
      detail.hidden = false;
      detail.replaceChildren("正在载入…");
      try {
        const diff = await api(`${historyUrl}/${version.generation}`);
        hide();
        layer = diffLayer(
          diff.before,
          diff.after,
          [...version.added, ...version.changed, ...version.removed],
          communityCode
        ).addTo(map2);
        legend.addTo(map2);
        if (layer.getLayers().length) map2.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
        detail.replaceChildren(
          h("h3", null, `第 ${version.generation} 版`),
          h("p", null, diff.description),
          h("p", { className: "hint" }, "地图：变动网格调整前的边界为红色虚线，调整后为填色（变动的为橙色）。"),
          ...version.request ? [h("p", null, "来自调整申请 ", requestLink(version.request))] : [],
          ...current ? [h("p", null, "这是现行版本。")] : restoreForm(version)
        );
      } catch (error) {
        detail.replaceChildren(message("error", `无法载入该版本：${error.message}`));
      }
    }
    function restoreForm(version) {
      const form = h(
        "form",
        { className: "restore-form", noValidate: true },
        h("label", { htmlFor: "restore-reason" }, "恢复理由（必填）"),
        h("textarea", { id: "restore-reason", rows: 2, required: true, placeholder: "例如：撤销错误的拆分" }),
        h("button", { type: "submit", className: "primary" }, "恢复此版本")
      );
      form.addEventListener("submit", (e) => restore(e, version));
      const result = h("div", { className: "restore-result" });
      result.setAttribute("aria-live", "polite");
      return [form, result];
    }
    async function restore(event, version) {
      event.preventDefault();
      const reason = $2("#restore-reason").value.trim();
      const result = $2(".restore-result");
      if (!reason) {
        result.replaceChildren(message("error", "请填写恢复理由。"));
        return;
      }
      const button = $2(".restore-form button");
      button.disabled = true;
      try {
        const change = await api(restoreUrl, { method: "POST", body: { generation: version.generation, reason } });
        result.replaceChildren(message(
          "success",
          "已提交恢复申请 ",
          requestLink(change.id),
          `（恢复到第 ${version.generation} 版），待审批。`
        ));
        if (onRestored) onRestored(change);
      } catch (error) {
        const kind = error.status === 409 ? "conflict" : "error";
        result.replaceChildren(message(kind, `未能提交：${error.message}`));
        button.disabled = false;
      }
    }
    function hide() {
      if (layer) map2.removeLayer(layer);
      layer = null;
      legend.remove();
    }
    return { show, hide };
  }

  // geogrid/adjustments/frontend/editor.js
  var mapEl = document.getElementById("map");
  var data = mapEl.dataset;
  var community = { code: data.community, name: data.communityName };
  var panel = document.querySelector(".editor-panel");
  var $ = (selector) => panel.querySelector(selector);
  var short = (code) => shortCode(code, community.code);
  var drafts = new DraftStack(data.storageKey);
  var state = {
    tool: null,
    // {kind: draw|split|merge|reshape, grid, picked: []}
    busy: false,
    mode: "edit",
    // or "history"
    pending: [],
    // pending change requests of the community, from the server
    conflicts: []
    // codes the last refused submission conflicted on
  };
  var map = createMap(mapEl, {
    zoomSnap: 0.25,
    doubleClickZoom: false,
    // fitted to the community once its grids load
    prefix: "GeoGrid · Leaflet · Leaflet-Geoman"
  });
  for (const [name, zIndex] of [["context", 420], ["drawing", 450]]) {
    map.createPane(name).style.zIndex = zIndex;
    map.getPane(name).style.pointerEvents = "none";
  }
  map.pm.setLang("zh");
  map.pm.setGlobalOptions({
    snappable: true,
    snapDistance: 15,
    snapMiddle: false,
    finishOnEnter: true,
    panes: { vertexPane: "markerPane", layerPane: "drawing", markerPane: "markerPane" }
  });
  var snapOnly = { pane: "context", interactive: false, pmIgnore: true, snapIgnore: false };
  var ROAD_WEIGHT = { primary: 4, secondary: 3, residential: 1.8, rural: 1.5, path: 1 };
  var gridLayer = L.geoJSON(null, {
    pmIgnore: true,
    snapIgnore: false,
    style: gridStyle,
    onEachFeature: bindGrid
  }).addTo(map);
  var labelLayer = L.layerGroup().addTo(map);
  function showSurroundings(layers) {
    L.geoJSON(layers.water, { ...snapOnly, style: { color: "#74c0fc", weight: 1, fillColor: "#a5d8ff", fillOpacity: 0.7 } }).addTo(map);
    L.geoJSON(layers.buildings, { ...snapOnly, style: { color: "#495057", weight: 0.8, fillColor: "#adb5bd", fillOpacity: 0.75 } }).addTo(map);
    L.geoJSON(layers.roads, { ...snapOnly, style: (f) => ({ color: "#868e96", weight: ROAD_WEIGHT[f.properties.kind] || 1.5 }) }).addTo(map);
    L.geoJSON(layers.boundary, { ...snapOnly, style: { color: "#212529", weight: 2.5, dashArray: "10 4 2 4", fill: false } }).addTo(map);
  }
  function gridStyle(feature) {
    const code = feature.properties.code;
    const violations = (feature.properties.stats || {}).violations || [];
    const style = { color: "#1d4f91", weight: 2, fillColor: "#74c0fc", fillOpacity: 0.2 };
    if (violations.length) Object.assign(style, { fillColor: "#ff6b6b", fillOpacity: 0.35 });
    if (drafts.touched().changed.includes(code)) Object.assign(style, { color: "#e8590c", weight: 3.5 });
    if (state.conflicts.includes(code)) Object.assign(style, { color: "#c92a2a", weight: 4, dashArray: "8 4" });
    if (state.tool && (state.tool.grid === code || state.tool.picked.includes(code))) {
      Object.assign(style, { color: "#7048e8", weight: 4, fillColor: "#b197fc", fillOpacity: 0.45 });
    }
    return style;
  }
  function bindGrid(feature, layer) {
    const p = feature.properties;
    const stats = p.stats || {};
    gridLabel(feature, textLines(h("b", null, short(p.code)), `${fmt.int(stats.households)}户`)).addTo(labelLayer);
    layer.on("click", () => {
      if (!map.pm.globalDrawModeEnabled()) pickGrid(p.code);
    });
  }
  function features() {
    return drafts.current().draft.features;
  }
  function featureOf(code) {
    return features().find((f) => f.properties.code === code);
  }
  function render2({ fit = false } = {}) {
    gridLayer.clearLayers();
    labelLayer.clearLayers();
    gridLayer.addData(drafts.current().draft);
    if (fit && gridLayer.getLayers().length) map.fitBounds(gridLayer.getBounds(), { padding: [16, 16], animate: false });
    renderTable();
    renderState();
  }
  function restyle() {
    gridLayer.setStyle(gridStyle);
    renderTable();
  }
  function renderState() {
    const touched = drafts.touched();
    $(".editor-state").textContent = drafts.dirty() ? `草稿：已做 ${drafts.index} 步调整（变动 ${touched.changed.length} 个网格${touched.removed.length ? `，撤销 ${touched.removed.length} 个` : ""}），尚未提交；草稿已保存在本机。` : "与现行网格一致。选择一个工具开始调整。";
    $(".undo").disabled = state.busy || !drafts.canUndo();
    $(".redo").disabled = state.busy || !drafts.canRedo();
    panel.querySelectorAll(".tool").forEach((button) => {
      button.disabled = state.busy;
      button.classList.toggle("active", !!state.tool && state.tool.kind === button.dataset.tool);
    });
    $(".submit-form button").disabled = state.busy || !drafts.dirty();
    const removed = $(".removed-grids");
    removed.hidden = !touched.removed.length;
    removed.textContent = touched.removed.length ? `将撤销的网格：${touched.removed.join("、")}` : "";
    document.body.dataset.busy = state.busy ? "1" : "";
  }
  function renderTable() {
    const tool = state.tool;
    render($(".grid-table"), features(), {
      changed: new Set(drafts.touched().changed),
      last: new Set(drafts.current().changed),
      picked: new Set(tool ? [tool.grid, ...tool.picked].filter(Boolean) : []),
      conflicts: new Set(state.conflicts)
    }, short);
  }
  function say(kind, ...content) {
    $(".messages").replaceChildren(message(kind, ...content));
  }
  var HINTS = {
    draw: () => ["在地图上依次单击，画出新网格的范围（会吸附到道路、楼栋和网格边界，按住 Alt 键则不吸附），单击第一个点结束。新网格从它覆盖的网格中划出。"],
    split: (t) => t.grid ? ["画一条完整穿过网格 ", h("b", null, short(t.grid)), " 的分割线（两端都在网格外），再次单击最后一点或按回车结束。"] : ["单击要分割的网格（地图上或表格中）。"],
    merge: (t) => t.picked.length ? ["依次单击两个相邻的网格。已选：", h("b", null, t.picked.map(short).join("、"))] : ["依次单击两个相邻的网格。"],
    reshape: (t) => t.grid ? ["画出要划入网格 ", h("b", null, short(t.grid)), " 的范围，单击第一个点结束；范围内其他网格的部分将划给它。"] : ["单击接收调整区域的网格（地图上或表格中）。"]
  };
  function startTool(kind) {
    if (state.busy || state.mode !== "edit") return;
    const again = state.tool && state.tool.kind === kind;
    cancelTool();
    if (again) return;
    $(".messages").replaceChildren();
    state.tool = { kind, grid: null, picked: [] };
    if (kind === "draw") beginDrawing("Polygon");
    showHint();
  }
  function beginDrawing(shape) {
    state.tool.shape = shape;
    map.pm.enableDraw(shape, {
      snappable: true,
      snapDistance: 15,
      allowSelfIntersection: false,
      tooltips: true,
      templineStyle: { color: "#e8590c", weight: 3 },
      hintlineStyle: { color: "#e8590c", dashArray: "5,5" },
      pathOptions: { color: "#e8590c" }
    });
  }
  function showHint() {
    const hint = $(".tool-hint");
    hint.hidden = !state.tool;
    if (state.tool) {
      $(".hint-text").replaceChildren(...HINTS[state.tool.kind](state.tool));
      $(".finish-drawing").hidden = !state.tool.shape;
    }
    restyle();
    renderState();
  }
  function cancelTool() {
    state.tool = null;
    if (map.pm.globalDrawModeEnabled()) map.pm.disableDraw();
    showHint();
  }
  function pickGrid(code) {
    const tool = state.tool;
    if (state.busy || state.mode !== "edit") return;
    if (!tool) {
      focusGrid(code);
      return;
    }
    if ((tool.kind === "split" || tool.kind === "reshape") && !tool.grid) {
      tool.grid = code;
      beginDrawing(tool.kind === "split" ? "Line" : "Polygon");
      showHint();
    } else if (tool.kind === "merge") {
      tool.picked = tool.picked.includes(code) ? tool.picked.filter((c) => c !== code) : [...tool.picked, code];
      showHint();
      if (tool.picked.length === 2) {
        const [a, b] = tool.picked;
        run({ op: "merge", grids: [a, b] }, `合并 ${short(a)} 与 ${short(b)}`);
      }
    }
  }
  function focusGrid(code) {
    const layer = gridLayer.getLayers().find((l) => l.feature.properties.code === code);
    if (layer) map.fitBounds(layer.getBounds(), { maxZoom: map.getZoom(), padding: [40, 40] });
    const row = $(`.grid-row[data-code="${CSS.escape(code)}"]`);
    if (row) {
      row.scrollIntoView({ block: "nearest" });
      row.classList.add("flash");
      setTimeout(() => row.classList.remove("flash"), 1200);
    }
  }
  map.on("pm:create", ({ layer }) => {
    const geometry = layer.toGeoJSON(9).geometry;
    map.removeLayer(layer);
    const tool = state.tool;
    setTimeout(() => {
      if (!tool) return;
      if (tool.kind === "draw") run({ op: "draw", region: geometry }, "新建网格");
      else if (tool.kind === "split") run({ op: "split", grid: tool.grid, line: geometry }, `分割 ${short(tool.grid)}`);
      else if (tool.kind === "reshape") {
        run({ op: "reshape", grid: tool.grid, region: geometry }, `调整 ${short(tool.grid)} 的边界`);
      }
    }, 0);
  });
  function payload(draft) {
    return { type: "FeatureCollection", features: draft.features.map((f) => {
      const { stats, ...properties } = f.properties;
      return { type: "Feature", id: f.id, geometry: f.geometry, properties };
    }) };
  }
  async function run(operation, label) {
    cancelTool();
    setBusy(true);
    say("info", `正在计算：${label}…`);
    try {
      const result = await api(data.operationsUrl, { method: "POST", body: { draft: payload(drafts.current().draft), operation } });
      drafts.push({ draft: result.draft, changed: result.changed, removed: result.removed, label });
      state.conflicts = [];
      render2();
      const changed = result.changed.map(short).join("、");
      const removed = result.removed.length ? `；撤销 ${result.removed.map(short).join("、")}` : "";
      const warnings = result.warnings || [];
      say(
        warnings.length ? "warning" : "success",
        `${label}：完成，变动网格 ${changed}${removed}。`,
        warnings.length ? h("ul", { className: "warnings" }, warnings.map((w) => h("li", null, w))) : null
      );
    } catch (error) {
      const rounding = /(覆盖面积|重叠) [+-]?0\.0\d 平方米/.test(error.message) ? "（差值只有零点零几平方米，是计算精度所致：请把线或范围稍微移动后再试一次。）" : "";
      say("error", `${label}未完成：${error.message}${rounding}`);
    } finally {
      setBusy(false);
    }
  }
  function setBusy(busy) {
    state.busy = busy;
    renderState();
  }
  function undo() {
    if (state.busy || !drafts.canUndo()) return;
    cancelTool();
    const entry = drafts.current();
    drafts.undo();
    render2();
    say("info", `已撤销：${entry.label}`);
  }
  function redo() {
    if (state.busy || !drafts.canRedo()) return;
    cancelTool();
    drafts.redo();
    render2();
    say("info", `已重做：${drafts.current().label}`);
  }
  function rename(code, name) {
    const feature = featureOf(code);
    name = name.trim();
    if (!feature || !name || feature.properties.name === name) return;
    const draft = JSON.parse(JSON.stringify(drafts.current().draft));
    draft.features.find((f) => f.properties.code === code).properties.name = name;
    drafts.push({ draft, changed: [code], removed: [], label: `命名 ${code} 为“${name}”` });
    render2();
    say("success", `已将新网格 ${code} 命名为“${name}”。`);
  }
  async function load({ keepLocal }) {
    const server = await api(data.draftUrl);
    showPending(server.pending);
    if (keepLocal && drafts.restore()) {
      const stale = Object.keys(drafts.base).some((c) => drafts.base[c] !== server.base[c]) || Object.keys(server.base).some((c) => !(c in drafts.base));
      say(
        stale ? "warning" : "info",
        `已恢复本机保存的草稿（${fmt.time(drafts.savedAt)}）。` + (stale ? "此后现行网格已有变化：涉及已变化网格的调整提交时会被拒绝，可点击“重新载入现行网格”重新开始。" : "")
      );
    } else {
      drafts.reset(server.draft, server.base);
    }
    state.conflicts = [];
    render2({ fit: true });
  }
  function showPending(pending) {
    state.pending = pending || [];
    const box = $(".pending-requests");
    box.hidden = !state.pending.length;
    box.replaceChildren(...state.pending.length ? [h("b", null, "待审批的调整申请"), h("ul", null, state.pending.map((r) => h("li", null, requestLink(r.id), ` ${r.created_by} 于 ${fmt.time(r.created_at)} 提交： ${r.reason}（涉及 ${[...r.changed, ...r.removed].map(short).join("、")}）`)))] : []);
  }
  var reloadArmed = null;
  async function reload() {
    if (state.busy) return;
    const button = $(".reload");
    if (drafts.dirty() && !reloadArmed) {
      button.textContent = "确认放弃草稿？再点一次";
      button.classList.add("armed");
      reloadArmed = setTimeout(() => {
        reloadArmed = null;
        button.textContent = "重新载入现行网格";
        button.classList.remove("armed");
      }, 5e3);
      return;
    }
    clearTimeout(reloadArmed);
    reloadArmed = null;
    button.textContent = "重新载入现行网格";
    button.classList.remove("armed");
    await reloadNow();
  }
  async function reloadNow() {
    cancelTool();
    drafts.forget();
    setBusy(true);
    try {
      await load({ keepLocal: false });
      say("info", "已载入现行网格。");
      $(".submit-result").replaceChildren();
    } catch (error) {
      say("error", `无法载入：${error.message}`);
    } finally {
      setBusy(false);
    }
  }
  async function submit(event) {
    event.preventDefault();
    const reason = $("#reason").value.trim();
    const result = $(".submit-result");
    if (!reason) {
      result.replaceChildren(message("error", "请填写调整理由。"));
      $("#reason").focus();
      return;
    }
    cancelTool();
    setBusy(true);
    try {
      const change = await api(data.submitUrl, { method: "POST", body: { draft: payload(drafts.current().draft), base: drafts.base, reason } });
      drafts.forget();
      $("#reason").value = "";
      await load({ keepLocal: false });
      result.replaceChildren(message(
        "success",
        "已提交调整申请 ",
        requestLink(change.id),
        `，待街道网格中心审批。变动网格：${change.changed.map(short).join("、")}${change.removed.length ? `；撤销：${change.removed.map(short).join("、")}` : ""}。`
      ));
      result.scrollIntoView({ block: "nearest" });
    } catch (error) {
      if (error.status === 409) {
        state.conflicts = error.body && error.body.conflicts || [];
        restyle();
        const again = h("button", { type: "button", className: "reload-now" }, "重新载入现行网格");
        again.addEventListener("click", reloadNow);
        const box = message(
          "conflict",
          h("b", null, "提交未成功：与其他调整冲突"),
          h("p", { className: "conflict-text" }, error.message),
          h("p", null, "冲突网格：", state.conflicts.map((c, i) => [i ? "、" : null, h("b", null, c)]), "（地图上以红色虚线标出）"),
          h("p", null, "您的草稿仍保留在本机。可等对方的申请审批后，点击“重新载入现行网格”在新的网格上重新调整。"),
          again
        );
        box.setAttribute("role", "alert");
        result.replaceChildren(box);
        result.scrollIntoView({ block: "nearest" });
      } else {
        result.replaceChildren(message("error", `提交未成功：${error.message}`));
      }
    } finally {
      setBusy(false);
    }
  }
  var history = create({
    map,
    panel,
    historyUrl: data.historyUrl,
    restoreUrl: data.restoreUrl,
    communityCode: community.code,
    onRestored: () => api(data.draftUrl).then((server) => showPending(server.pending)).catch(() => {
    })
  });
  function switchTab(name) {
    cancelTool();
    state.mode = name === "history" ? "history" : "edit";
    panel.querySelectorAll(".tab").forEach((tab) => {
      tab.classList.toggle("active", tab.dataset.tab === name);
      tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
    });
    panel.querySelectorAll(".tab-panel").forEach((p) => {
      p.hidden = p.dataset.panel !== name;
    });
    if (state.mode === "history") {
      map.removeLayer(gridLayer);
      map.removeLayer(labelLayer);
      history.show();
    } else {
      history.hide();
      gridLayer.addTo(map);
      labelLayer.addTo(map);
    }
  }
  panel.querySelectorAll(".tool").forEach((button) => button.addEventListener("click", () => startTool(button.dataset.tool)));
  panel.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => switchTab(tab.dataset.tab)));
  $(".undo").addEventListener("click", undo);
  $(".redo").addEventListener("click", redo);
  $(".reload").addEventListener("click", reload);
  $(".cancel-tool").addEventListener("click", cancelTool);
  $(".finish-drawing").addEventListener("click", () => {
    const shape = map.pm.Draw.getActiveShape();
    if (shape) map.pm.Draw[shape]._finishShape();
  });
  $(".submit-form").addEventListener("submit", submit);
  $(".grid-table tbody").addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-code]");
    if (row && !event.target.closest("input")) pickGrid(row.dataset.code);
  });
  $(".grid-table tbody").addEventListener("change", (event) => {
    if (event.target.matches(".name-input")) rename(event.target.dataset.code, event.target.value);
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    const key = event.key.toLowerCase();
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && key === "z" && !event.shiftKey) {
      event.preventDefault();
      undo();
    } else if (ctrl && (key === "y" || key === "z" && event.shiftKey)) {
      event.preventDefault();
      redo();
    } else if (key === "escape") {
      cancelTool();
    }
  });
  window.geogridEditor = { map, drafts, gridLayer, state };
  api(data.surroundingsUrl).then(showSurroundings).catch((error) => {
    say("warning", `道路和楼栋底图未能载入（绘制时无法吸附到它们）：${error.message}`);
  });
  load({ keepLocal: true }).then(() => {
    document.body.dataset.ready = "1";
  }).catch((error) => {
    $(".editor-state").textContent = `无法载入网格：${error.message}`;
  });
})();
