"""Parity samples: each registry op carries a Spec, and one shared generator turns every Spec
into the same battery of cases: several shapes, broadcasting, 0-d and empty tensors,
non-contiguous inputs (transposed, sliced, expanded) and each dtype the op accepts.

An op can narrow what it accepts (dtypes, value domain, minimum rank, extra arguments), but it
cannot skip the battery: the generator, not the op, decides the shapes and layouts.
"""
import numpy as np

F32, F64, F16, I64, I32, U8, B = "float32", "float64", "float16", "int64", "int32", "uint8", "bool"
FLOATS = (F32, F64)
INTS = (I64, I32)
ALL = FLOATS + INTS + (B,)
NUMERIC = FLOATS + INTS

UNARY_SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4)]
BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3, 4)), ((3, 4), ()),
                 ((0, 4), (4,)), ((5,), (5,))]
LAYOUTS = ("contiguous", "transposed", "sliced", "expanded")


class Spec:
    """How to exercise one op.

    arity: tensor inputs; shapes: override the shared shapes (each a tuple of input shapes);
    domain: (lo, hi) for float values; int_domain likewise; dtypes: accepted dtypes;
    args: (ndim) -> list of (args, kwargs) tried for each input set; grad: check gradients;
    scalar_other: also try a Python scalar as the second input; min_ndim: skip smaller inputs;
    call: (module, *inputs, *args, **kwargs) -> result, default module.<name>;
    atol/rtol: loosened tolerances, each with a reason in `why`.
    """

    def __init__(self, arity=1, domain=(-2.0, 2.0), int_domain=(-5, 6), dtypes=FLOATS, args=None,
                 grad=True, scalar_other=False, min_ndim=0, shapes=None, call=None, layouts=True,
                 atol=None, rtol=None, why=None, distinct=False, nonzero=False, method=None):
        self.arity, self.domain, self.int_domain, self.dtypes = arity, domain, int_domain, dtypes
        self.args = args or (lambda ndim: [((), {})])
        self.grad, self.scalar_other, self.min_ndim = grad, scalar_other, min_ndim
        self.shapes, self.call, self.layouts = shapes, call, layouts
        self.atol, self.rtol, self.why = atol, rtol, why
        self.distinct, self.nonzero, self.method = distinct, nonzero, method


def unary(**kw):
    return Spec(arity=1, **kw)


def binary(**kw):
    kw.setdefault("scalar_other", True)
    return Spec(arity=2, **kw)


class Case:
    """One call: the input arrays (before layout), the layout to apply, the extra arguments."""

    def __init__(self, arrays, layout, args, kwargs, dtype, shape=None):
        self.arrays, self.layout, self.args, self.kwargs, self.dtype = arrays, layout, args, kwargs, dtype
        self.shape = shape if shape is not None else (arrays[0].shape if arrays else ())

    def __repr__(self):
        shapes = [a.shape if isinstance(a, np.ndarray) else a for a in self.arrays]
        return f"{self.dtype}-{self.layout}-{shapes}-{self.args}-{self.kwargs}"


def _values(rng, shape, dtype, spec):
    if dtype == B:
        return np.asarray(rng.random(shape) > 0.5)
    if dtype in (I64, I32, U8):
        lo, hi = spec.int_domain
        if dtype == U8:
            lo = max(lo, 0)
        v = rng.integers(lo, hi, size=shape)
        if spec.nonzero:
            v[v == 0] = 1
        return np.asarray(v).astype(dtype)
    lo, hi = spec.domain
    if spec.distinct:   # well-separated values, so sort/max ties cannot differ between libraries
        n = int(np.prod(shape))
        v = (rng.permutation(n) / max(n, 1) * (hi - lo) + lo).reshape(shape)
    else:
        v = rng.uniform(lo, hi, size=shape)
    if spec.nonzero:
        v = np.where(np.abs(v) < 0.1, 0.5, v)
    return np.asarray(v).astype(dtype)


def _layout_source_shape(shape, layout):
    """The shape to draw so that applying `layout` yields `shape`."""
    if layout == "transposed":
        return shape[:-2] + (shape[-1], shape[-2])
    if layout == "sliced":
        return shape[:-1] + (shape[-1] * 2,)
    if layout == "expanded":
        return (1,) + shape[1:]
    return shape


def layout_applies(shape, layout):
    if layout == "contiguous":
        return True
    if layout == "transposed":
        return len(shape) >= 2
    if layout == "sliced":
        return len(shape) >= 1 and shape[-1] > 0
    if layout == "expanded":
        return len(shape) >= 1 and shape[0] > 1
    return False


def apply_layout(t, shape, layout):
    """Apply a layout to a tensor of either library (same calls on both)."""
    if layout == "transposed":
        return t.transpose(-1, -2)
    if layout == "sliced":
        return t[..., ::2]
    if layout == "expanded":
        return t.expand(*shape)
    return t


def cases(spec, seed=0):
    """Every case for one op's spec."""
    rng = np.random.default_rng(seed)
    if spec.shapes is not None:
        shape_sets = spec.shapes
    elif spec.arity == 1:
        shape_sets = [(s,) for s in UNARY_SHAPES]
    elif spec.arity == 2:
        shape_sets = BINARY_SHAPES
    else:
        shape_sets = [tuple(s for _ in range(spec.arity)) for s in UNARY_SHAPES[1:]]
    out = []
    for dtype in spec.dtypes:
        for shapes in shape_sets:
            if min(len(s) for s in shapes) < spec.min_ndim:
                continue
            layouts = LAYOUTS if spec.layouts else ("contiguous",)
            for layout in layouts:
                if not layout_applies(shapes[0], layout):
                    continue
                if layout != "contiguous" and shapes is not shape_sets[0] and \
                        len(shape_sets) > 2 and layout != "transposed" and shapes != shape_sets[-1]:
                    continue    # every layout once per dtype is enough beyond the first shapes
                srcs = [_values(rng, _layout_source_shape(s, layout) if i == 0 else s, dtype, spec)
                        for i, s in enumerate(shapes)]
                for args, kwargs in spec.args(len(shapes[0])):
                    out.append(Case(srcs, layout, args, kwargs, dtype, shapes[0]))
        if spec.scalar_other and spec.arity == 2:
            for shape in ((3, 4), ()):
                src = _values(rng, shape, dtype, spec)
                for scalar in (2, 0.5, True) if dtype != B else (True, 2, 0.5):
                    if spec.nonzero and not scalar:
                        continue
                    out.append(Case([src, scalar], "contiguous", (), {}, dtype))
    return out
