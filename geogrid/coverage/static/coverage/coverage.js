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
    constructor(message, status, body) {
      super(message);
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
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
      }
      throw new ApiError(String(data && (data.message || data.error || data.detail) || `HTTP ${response.status}`), response.status, data);
    }
    return data;
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
      const features = [];
      for (let i = 0; i < layer.length; i++) {
        const feature = layer.feature(i);
        const rings = feature.loadGeometry().map((ring) => ring.map((p) => [p.x * scale, p.y * scale]));
        features.push({ type: feature.type, properties: feature.properties, rings, path: null });
      }
      layers[name] = features;
    }
    return layers;
  }
  var LruCache = class {
    constructor(size) {
      this.size = size;
      this.entries = /* @__PURE__ */ new Map();
    }
    get(key, load) {
      let promise = this.entries.get(key);
      if (promise) {
        this.entries.delete(key);
      } else {
        promise = load();
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
    let inside = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
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
        const features = tile.el._mvt[name] || [];
        for (let i = features.length - 1; i >= 0; i--) {
          const style = styleOf(features[i].properties, coords.z);
          if (style && style.interactive !== false && hits(features[i], style, x, y)) {
            found.push({ source: name, properties: features[i].properties });
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

  // geogrid/coverage/frontend/coverage.js
  var mapEl = document.getElementById("map");
  var summary = document.querySelector(".problem-summary");
  var list = document.querySelector(".problem-list");
  var SEVERITY_COLORS = { error: "#e03131", warning: "#f08c00", sliver: "#868e96" };
  var SEVERITY_LABELS = { error: "错误", warning: "警告", sliver: "细碎" };
  var map = createMap(mapEl);
  function describe(p) {
    const codes = p.grid_codes.length ? `（${p.grid_codes.join("、")}）` : "";
    const area = p.area_m2 ? `，${number(p.area_m2)} m²` : "";
    return `[${SEVERITY_LABELS[p.severity] || p.severity}] ${p.kind_label}${codes}${area}：${p.message}`;
  }
  function show(collection) {
    const features = collection.features;
    const layer = L.geoJSON(collection, {
      style: (f) => ({ color: SEVERITY_COLORS[f.properties.severity], weight: 3, fillOpacity: 0.45 }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 7 })
    }).addTo(map);
    summary.textContent = features.length ? `共 ${features.length} 个问题：错误 ${count(features, "error")}，警告 ${count(features, "warning")}，细碎 ${count(features, "sliver")}` : "没有发现问题：网格无缝隙、无重叠，规模均在规则之内。";
    list.replaceChildren(...features.map((f, i) => {
      const item = document.createElement("li");
      item.className = `problem ${f.properties.severity}`;
      item.textContent = describe(f.properties);
      item.addEventListener("click", () => {
        const target = layer.getLayers()[i];
        if (target.getBounds) map.fitBounds(target.getBounds(), { maxZoom: 18 });
        const loc = f.properties.location;
        L.popup().setLatLng([loc.lat, loc.lon]).setContent(textLines(item.textContent)).openOn(map);
      });
      return item;
    }));
  }
  function count(features, severity) {
    return features.filter((f) => f.properties.severity === severity).length;
  }
  Promise.all([fetchJSON(mapEl.dataset.gridsUrl), fetchJSON(mapEl.dataset.coverageUrl)]).then(([grids, problems]) => {
    const gridLayer = L.geoJSON(grids, {
      style: { color: "#1d4f91", weight: 1.5, fillOpacity: 0.05 },
      onEachFeature: (f, l) => l.bindTooltip(() => textLines(`${f.properties.code} ${f.properties.name}`))
    }).addTo(map);
    if (gridLayer.getLayers().length) map.fitBounds(gridLayer.getBounds());
    show(problems);
  }).catch((error) => {
    summary.textContent = `无法校验：${error.message}`;
  });
})();
