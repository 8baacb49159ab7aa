"""Read an ONNX file's graph and initializers with a minimal protobuf reader (the `onnx` package is
not needed): nodes (op, inputs, outputs, attributes) and float32/int64 initializers as NumPy arrays.
Used by the PyTorch benchmark (scripts/bench_colorize_pytorch.py) and to start training from the
weights of an exported model (training.train --init-onnx).
"""
import struct

import numpy as np

def _varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yield (field_number, wire_type, value) of one message; value is int or a memoryview."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        field, wt = key >> 3, key & 7
        if wt == 0:
            value, pos = _varint(buf, pos)
        elif wt == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        yield field, wt, value


def _packed_varints(v, wt):
    if wt == 0:
        return [v]
    out, pos = [], 0
    while pos < len(v):
        x, pos = _varint(v, pos)
        out.append(x)
    return out


def _signed(x):
    return x - (1 << 64) if x >= 1 << 63 else x


ONNX_FLOAT, ONNX_INT64 = 1, 7


def parse_tensor(buf):
    dims, dtype, name, raw, floats, ints = [], ONNX_FLOAT, "", None, [], []
    for f, wt, v in fields(buf):
        if f == 1:
            dims += [_signed(x) for x in _packed_varints(v, wt)]
        elif f == 2:
            dtype = v
        elif f == 4:
            floats += list(struct.unpack(f"<{len(v) // 4}f", v)) if wt == 2 else [struct.unpack("<f", v)[0]]
        elif f == 7:
            ints += [_signed(x) for x in _packed_varints(v, wt)]
        elif f == 8:
            name = bytes(v).decode()
        elif f == 9:
            raw = bytes(v)
        elif f == 14:
            raise ValueError(f"tensor {name}: external data is not supported")
    if dtype == ONNX_FLOAT:
        arr = np.frombuffer(raw, dtype="<f4") if raw is not None else np.asarray(floats, dtype=np.float32)
    elif dtype == ONNX_INT64:
        arr = np.frombuffer(raw, dtype="<i8") if raw is not None else np.asarray(ints, dtype=np.int64)
    else:
        raise ValueError(f"tensor {name}: data type {dtype} is not supported")
    return name, arr.reshape(dims).copy()


def parse_attribute(buf):
    name, value, ints, floats = "", None, [], []
    for f, wt, v in fields(buf):
        if f == 1:
            name = bytes(v).decode()
        elif f == 2:
            value = struct.unpack("<f", v)[0]
        elif f == 3:
            value = _signed(v)
        elif f == 4:
            value = bytes(v).decode(errors="replace")
        elif f == 5:
            value = parse_tensor(v)[1]
        elif f == 7:
            floats += list(struct.unpack(f"<{len(v) // 4}f", v)) if wt == 2 else [struct.unpack("<f", v)[0]]
        elif f == 8:
            ints += [_signed(x) for x in _packed_varints(v, wt)]
    if value is None:
        value = ints if ints else floats
    return name, value


def parse_node(buf):
    node = {"inputs": [], "outputs": [], "op": "", "attrs": {}}
    for f, _, v in fields(buf):
        if f == 1:
            node["inputs"].append(bytes(v).decode())
        elif f == 2:
            node["outputs"].append(bytes(v).decode())
        elif f == 4:
            node["op"] = bytes(v).decode()
        elif f == 5:
            k, val = parse_attribute(v)
            node["attrs"][k] = val
    return node


def load_onnx(path):
    data = memoryview(open(path, "rb").read())
    graph = next(v for f, _, v in fields(data) if f == 7)
    nodes, inits = [], {}
    for f, _, v in fields(graph):
        if f == 1:
            nodes.append(parse_node(v))
        elif f == 5:
            name, arr = parse_tensor(v)
            inits[name] = arr
    return nodes, inits
