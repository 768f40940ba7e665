"""Random numbers equal to torch's CPU generator, bit for bit.

Engine. torch's CPU generator is MT19937 seeded with Matsumoto-Nishimura init_genrand on the
low 32 bits of the seed. A 32-bit draw is one MT output; a 64-bit draw is two, the first in
the high half. NumPy's MT19937 bit generator yields the same 32-bit stream once its key is set
the same way, so each Generator holds one. get_state()/set_state() use torch's own 5056-byte
layout (CPUGeneratorImplState), so states move between torch and this module both ways.

Distributions follow ATen's CPU kernels (native/cpu/DistributionTemplates.h,
core/DistributionsHelper.h, core/TransformationHelper.h, TensorFactories.cpp randperm,
Distributions.cpp poisson, MultinomialKernel.cpp), drawing in the same order -- element after
element in memory order -- so interleaved calls stay in step with torch:
  - float uniform: 24 low bits of a 32-bit draw times 2^-24 (half and bfloat16 too, computed in
    float); double: 53 low bits of a 64-bit draw times 2^-53; then fma(u, to - from, from),
    a result rounded up to `to` becoming `from`.
  - random_(from, to) and randint: (draw % range) + from, with a 64-bit draw once
    range >= 2^28 (the public wheels' threshold); random_(): draw % (max + 1) per dtype
    (2^mantissa + 1 for floats).
  - normal: tensors of >= 16 contiguous elements use Box-Muller on blocks of 16 uniforms (all
    uniforms first, then a fresh block of 16 for a ragged tail). For float, half and bfloat16
    torch runs the Cephes-style AVX2 log/sincos of avx_mathfun.h with the compiler's FMA
    contraction; we evaluate the same float32 operations. Other tensors use the scalar double
    Box-Muller, which caches its second value in the generator (part of the state; cleared by
    manual_seed). log_normal_ shares that cache.
  - exponential_, geometric_, cauchy_ and bernoulli_(float p) take one double uniform per
    element; bernoulli with a tensor p takes a float uniform unless p is double.
  - multinomial: without replacement (or for one sample) argmax/topk of p / Exp(1); with
    replacement a binary search of the input-dtype cumulative sums per double uniform.
    poisson: torch's transformed-rejection / product sampler, a Python loop per element since
    each takes a data-dependent number of uniforms.

What matches. Every function consumes torch's draws in torch's order, so the generator state
after any call equals torch's. The values are torch's, bit for bit, for rand/uniform_, randint/
random_, randperm (both of torch's algorithms), bernoulli, multinomial, poisson,
exponential_, geometric_, cauchy_, log_normal_ and randn/normal_ in every float dtype.
Double-precision log/log1p/exp/tan go through `math`, which calls the same C library as torch,
wherever they feed a float64 result; for float32 results of the scalar double paths on large
tensors NumPy's vectorised versions are used, which can differ from the C library by an ulp
in double and practically never after rounding to float. The float normal values assume
torch's x86-64 AVX2/AVX512 kernels (what the public wheels run on such CPUs); torch built for
other CPUs evaluates that Box-Muller with the C library in float and can differ by an ulp.

Default seed. torch.Generator() starts from 67280421310721; torch seeds its default generator
from the OS at start-up (torch.initial_seed() differs between runs), and so do we.
"""
import builtins
import contextlib
import math
import operator
import os
import warnings

import numpy as np

from . import _dtype as D
from ._device import check_device
from ._tensor import Tensor
from .ops.registry import assign_result, check_inplace

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm",
           "rand_like", "randn_like", "randint_like", "normal", "bernoulli", "multinomial",
           "poisson"]

_N = 624
_DEFAULT_SEED = 67280421310721
_U64 = np.uint64
_F32 = np.float32
_F64 = np.float64

# torch's CPUGeneratorImplState: the legacy THGenerator POD (64-bit state words) followed by
# the float normal cache; `_pad*` are C struct padding.
_STATE = np.dtype([("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
                   ("state", "<u8", (_N,)), ("normal_x", "<f8"), ("normal_y", "<f8"),
                   ("normal_rho", "<f8"), ("normal_is_valid", "<i4"), ("_pad", "<i4"),
                   ("normal_f", "<f4"), ("normal_f_valid", "u1"), ("_pad2", "u1", (3,))])
assert _STATE.itemsize == 5056


def _mt_key(seed32):
    """MT19937's init_genrand key for a 32-bit seed."""
    key = [0] * _N
    x = key[0] = seed32
    for j in builtins.range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key[j] = x
    return np.array(key, dtype=np.uint32)


def _seed_value(seed):
    if not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


class Generator:
    """torch.Generator for the CPU: an MT19937 engine plus torch's cached normal samples."""

    def __init__(self, device="cpu"):
        self.device = check_device(device)
        self.manual_seed(_DEFAULT_SEED)

    def __getattr__(self, name):
        # The engine is built on the first draw: numpy.random costs ~15 ms to import, and
        # `import torsh_compat` seeds the default generator.
        if name != "_bits" or "_pending" not in self.__dict__:
            raise AttributeError(f"'Generator' object has no attribute '{name}'")
        key, pos = self.__dict__.pop("_pending")
        self._bits = np.random.MT19937(0)
        self._set_engine(key, pos)
        return self._bits

    def manual_seed(self, seed):
        seed = _seed_value(seed)
        self._set_engine(_mt_key(seed & 0xFFFFFFFF), _N)
        self._seed = seed
        self._fresh = True        # torch's seeded-but-unused engine (left=1, next=0)
        self._normal = None       # cached second Box-Muller value (double)
        self._normal_f = None     # torch keeps a float cache too; no CPU kernel fills it now
        return self

    def seed(self):
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        st = self._bits.state["state"]
        rec = np.zeros((), _STATE)
        rec["seed"] = self._seed
        rec["seeded"] = 1
        pos = int(st["pos"])
        # torch counts `left` down to a refill and `next` up from it: left + next == 625
        rec["left"], rec["next"] = (1, 0) if self._fresh else (_N + 1 - pos, pos)
        rec["state"] = st["key"]
        if self._normal is not None:
            rec["normal_y"] = self._normal
            rec["normal_is_valid"] = 1
        if self._normal_f is not None:
            rec["normal_f"] = self._normal_f
            rec["normal_f_valid"] = 1
        return Tensor._make(np.frombuffer(rec.tobytes(), np.uint8).copy())

    def set_state(self, new_state):
        data = getattr(new_state, "_data", None)
        if data is None or data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if data.size != _STATE.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE.itemsize} but "
                               f"found the input RNG state size to be {data.size}")
        rec = np.frombuffer(np.ascontiguousarray(data).tobytes(), _STATE)[0]
        left, nxt = int(rec["left"]), int(rec["next"]) & 0xFFFFFFFF
        if not (rec["seeded"] and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        # States torch writes always have left + next == 625 (or the fresh 1, 0); NumPy's single
        # position can only express those.
        self._set_engine((rec["state"] & 0xFFFFFFFF).astype(np.uint32), _N if left == 1 else nxt)
        self._seed = int(rec["seed"])
        self._fresh = left == 1 and nxt == 0
        self._normal = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._normal_f = float(rec["normal_f"]) if rec["normal_f_valid"] else None
        return self

    def clone_state(self):
        return Generator(self.device).set_state(self.get_state())

    def graphsafe_get_state(self):
        return self.clone_state()

    def graphsafe_set_state(self, state):
        self.set_state(state.get_state())

    def get_offset(self):
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset):
        raise RuntimeError("CPU Generator does not use offset")

    def _set_engine(self, key, pos):
        bits = self.__dict__.get("_bits")
        if bits is None:
            self._pending = key, pos
        else:
            bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}

    # ---- raw draws -----------------------------------------------------------------------
    def _u32(self, n):
        """n 32-bit draws, as uint64."""
        if n:
            self._fresh = False
        return self._bits.random_raw(n)

    def _u64(self, n):
        """n 64-bit draws: two 32-bit draws each, the first in the high half."""
        r = self._u32(2 * n)
        return (r[0::2] << _U64(32)) | r[1::2]

    def _float(self, n):
        return (self._u32(n) & _U64(0xFFFFFF)).astype(_F32) * _F32(2.0 ** -24)

    def _double(self, n):
        return (self._u64(n) & _U64((1 << 53) - 1)).astype(_F64) * 2.0 ** -53


def _gen(generator):
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


# torch seeds its default generator from the OS at start-up, unlike a fresh torch.Generator().
default_generator = Generator()
default_generator.seed()


def manual_seed(seed):
    default_generator.manual_seed(int(seed))
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Restore the CPU generator's state on exit (there are no accelerator generators)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ---- float arithmetic as the C kernels do it ---------------------------------------------

def _fma32(a, b, c, check=True):
    """float32 fma(a, b, c), correctly rounded. a*b is exact in double; the double sum can only
    mislead the final rounding when it lands exactly halfway between two floats and was itself
    rounded, so those (rare) sums are nudged towards their rounding error. check=False skips
    that test where it can never fire."""
    s = np.multiply(a, b, dtype=_F64)
    s += c
    if not check:
        return s.astype(_F32)
    half = (s.view(_U64) & _U64(0x1FFFFFFF)) == _U64(0x10000000)
    if half.any():
        p = np.multiply(a, b, dtype=_F64)
        bb = s - p
        err = (p - (s - bb)) + (c - bb)
        s = np.where(half & (err != 0), np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s.astype(_F32)


def _split(a):
    t = 134217729.0 * a           # Veltkamp splitting, 2^27 + 1
    hi = t - (t - a)
    return hi, a - hi


def _fma64(a, b, c):
    """double fma(a, b, c) from an exact product (Dekker) and sum (Knuth); faithful, and
    correctly rounded except in cases of about 2^-50 probability."""
    a = np.asarray(a, _F64)
    if isinstance(b, float) and b == 1.0:
        return a + c
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(np.asarray(b, _F64))
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def _libm(fn, x):
    """fn (a `math` function, i.e. the C library torch calls) on each element of x, a slice at
    a time to bound the temporary Python floats."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    out = np.empty(flat.size, _F64)
    for i in builtins.range(0, flat.size, 1 << 16):
        piece = flat[i:i + (1 << 16)]
        out[i:i + piece.size] = np.fromiter(map(fn, piece.tolist()), _F64, count=piece.size)
    return out.reshape(x.shape)


def _dfunc(name, x, exact):
    """A double-precision function: the C library's value when exact, else NumPy's (<= 1 ulp)."""
    if exact:
        return _libm(getattr(math, name), x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return getattr(np, name)(x)


# ---- avx_mathfun.h (Cephes) in float32, as torch's AVX2 Box-Muller evaluates it ---------------
# Their inputs are 1 - u and float(2 pi) * u for the 2^24 possible float uniforms u; running all
# of them showed which FMAs' double sums never round onto a float halfway point: those pass
# check=False.

_LOG_P = [_F32(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1,
                            -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
                            2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_MIN_NORM = np.array(0x00800000, np.int32).view(_F32)
_HALF_BITS = int(np.array(0.5, _F32).view(np.int32))


def _log256(x):
    """log256_ps for x in (0, 1]; the compiler contracts its mul/add pairs into FMAs."""
    x = np.maximum(x, _MIN_NORM)
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(_F32) + _F32(1)
    x = ((bits & ~0x7f800000) | _HALF_BITS).view(_F32)
    small = x < _F32(0.707106781186547524)
    x = (x - _F32(1)) + np.where(small, x, _F32(0))
    e = e - small.astype(_F32)
    z = x * x
    y = _fma32(x, _LOG_P[0], _LOG_P[1], False)
    for p in _LOG_P[2:]:
        y = _fma32(y, x, p, False)
    y = y * x
    y = _fma32(y, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    return (x + y) + e * _F32(0.693359375)


def _sincos256(x):
    """sincos256_ps for x >= 0."""
    j = (x * _F32(1.27323954473516)).astype(np.int32)
    j += 1
    j &= ~1
    y = j.astype(_F32)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(y, _F32(dp), x, False)
    z = x * x
    yc = _fma32(_fma32(z, _F32(2.443315711809948E-005), _F32(-1.388731625493765E-003), False),
                z, _F32(4.166664568298827E-002), False)
    yc = _fma32(yc * z, z, -(z * _F32(0.5)), False) + _F32(1)
    ys = _fma32(_fma32(z, _F32(-1.9515295891E-4), _F32(8.3321608736E-3), False),
                z, _F32(-1.6666654611E-1), False)
    ys = _fma32(ys * z, x, x)
    poly = (j & 2) == 0
    s = np.where(poly, ys, yc)
    c = np.where(poly, yc, ys)
    # the quadrant flips signs by xor-ing the sign bit, as the AVX code does
    s.view(np.int32)[...] ^= (j & 4) << 29
    c.view(np.int32)[...] ^= (~(j - 2) & 4) << 29
    return s, c


def _box_muller16_f32(u, mean, std):
    """A block of 16 float uniforms (each row of u) -> 16 normals, in float."""
    r = np.sqrt(_F32(-2) * _log256(_F32(1) - u[:, :8]))
    s, c = _sincos256(_F32(2.0 * math.pi) * u[:, 8:])
    z = np.empty(u.shape, _F32)
    np.multiply(r, c, out=z[:, :8])
    np.multiply(r, s, out=z[:, 8:])
    m, sd = _F32(mean), _F32(std)
    return z + m if sd == 1 else _fma32(z, sd, m)


def _normal_fill_f32(g, n, mean, std, spare):
    """normal_fill in float: uniforms for the whole tensor (the `spare` n % 16 left over are
    drawn but unused), Box-Muller on each block of 16, then a fresh block for a ragged tail.
    Uniforms are drawn slice by slice, in order, so the work stays in cache."""
    nb, tail = divmod(n, 16)
    out = np.empty(n, _F32)
    rows = 2048
    for i in builtins.range(0, nb, rows):
        k = builtins.min(rows, nb - i)
        out[i * 16:(i + k) * 16] = _box_muller16_f32(g._float(k * 16).reshape(k, 16), mean,
                                                     std).ravel()
    if tail:
        if spare:
            g._u32(tail)
        out[n - 16:] = _box_muller16_f32(g._float(16).reshape(1, 16), mean, std).ravel()
    return out


def _box_muller16_f64(u, mean, std):
    a = 1.0 - u[:, :8]
    r = np.sqrt(-2.0 * _libm(math.log, a))
    th = (2.0 * math.pi) * u[:, 8:]
    z = np.concatenate([r * np.cos(th), r * np.sin(th)], axis=1)
    return _fma64(z, float(std), float(mean))


# ---- kernels: n values in torch's draw order -------------------------------------------------

def _uniform_values(g, n, dt, lo, hi):
    """uniform_kernel: values in [lo, hi) of NumPy dtype dt (a float type)."""
    if dt == _F64:
        u = g._double(n)
        if (lo, hi) != (0.0, 1.0):
            u = _fma64(u, hi - lo, lo)
            u[u == hi] = lo        # rounding up to `to` is folded back to `from`
        return u
    u = g._float(n)
    f, t = _F32(lo), _F32(hi)
    if (f, t) != (0, 1):
        u = _fma32(u, t - f, f)
    if dt != _F32:
        u = u.astype(dt)
    to_s, from_s = _F32(hi).astype(dt), _F32(lo).astype(dt)
    u[u == to_s] = from_s
    return u


def _normal_scalar(g, n, mean, std, exact=True):
    """at::normal_distribution<double>: Box-Muller pairs, the sine kept for the next call."""
    out = np.empty(n, _F64)
    i = 0
    if n and g._normal is not None:
        out[0] = g._normal
        g._normal = None
        i = 1
    m = n - i
    k = (m + 1) // 2
    if k:
        uu = g._double(2 * k)
        u1, u2 = uu[0::2], uu[1::2]
        r = np.sqrt(-2.0 * _dfunc("log1p", -u2, exact))
        th = (2.0 * math.pi) * u1
        z = np.empty(2 * k, _F64)
        z[0::2] = r * _dfunc("cos", th, exact)
        z[1::2] = r * _dfunc("sin", th, exact)
        out[i:] = z[:m]
        if m % 2:
            g._normal = float(z[-1])
    return _fma64(out, float(std), float(mean))


def _from_double(v, dt):
    """static_cast<scalar_t>(double): half and bfloat16 convert through float."""
    if dt == _F64 or dt == _F32:
        return v.astype(dt)
    if dt.kind == "f" or dt == D.bfloat16.np:
        return v.astype(_F32).astype(dt)
    return v.astype(dt)


def _normal_values(g, n, dt, mean, std, contiguous):
    """normal_kernel for a float dtype."""
    if n >= 16 and contiguous:
        nb, tail = divmod(n, 16)
        if dt == _F64:
            u = g._double(n)
            out = np.empty(n, _F64)
            out[:nb * 16] = _box_muller16_f64(u[:nb * 16].reshape(nb, 16), mean, std).ravel()
            if tail:
                out[n - 16:] = _box_muller16_f64(g._double(16).reshape(1, 16), mean, std).ravel()
            return out
        # half and bfloat16 go block by block through a float buffer: no spare uniforms
        out = _normal_fill_f32(g, n, mean, std, spare=dt == _F32)
        return out if dt == _F32 else out.astype(dt)
    return _from_double(_normal_scalar(g, n, mean, std, exact=dt == _F64 or n < 64), dt)


# ---- dtype checks and messages ------------------------------------------------------------

_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_FMAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38,
         "float64": 1.7976931348623157e308}


def _tdt(arr):
    return D.FROM_NP[arr.dtype] if arr.dtype in D.FROM_NP else D.as_dtype(arr.dtype)


def _not_impl(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.legacy_name(dt)}'")


def _is_float(dt):
    return dt.category == D.FLOAT


def _is_complex(dt):
    return dt.category == D.COMPLEX


# ---- writing into tensors -----------------------------------------------------------------

def _order(arr):
    """Axes of arr from outermost to innermost in memory: TensorIterator's fill order."""
    if arr.flags.c_contiguous:
        return None
    return sorted(builtins.range(arr.ndim), key=lambda a: -abs(arr.strides[a]))


def _arrange(flat, shape, order):
    """Values drawn in memory order -> an array of `shape` in logical order."""
    if order is None:
        return flat.reshape(shape)
    t = flat.reshape([shape[a] for a in order])
    return t.transpose(np.argsort(order))


def _store(t, flat, name):
    """Write values drawn in t's memory order into t in place (bumps its version)."""
    arr = t._data
    vals = _arrange(flat, arr.shape, _order(arr))
    assign_result(t, Tensor._make(np.asarray(vals, order="C")), name)
    return t


def _new(flat, shape, requires_grad):
    t = Tensor._make(flat.reshape(shape))
    if requires_grad:
        t.requires_grad = True
    return t


def _check_rg(dt, requires_grad):
    if requires_grad and not (_is_float(dt) or _is_complex(dt)):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def _size(size, fname):
    """Sizes as torch takes them: rand(2, 3), rand((2, 3)), rand([2, 3]), rand(torch.Size)."""
    if not size:
        raise TypeError(f"{fname}() received an invalid combination of arguments - got (), "
                        f"but expected (tuple of ints size, ...)")
    items = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    shape = []
    for s in items:
        try:
            if isinstance(s, (bool, float)):
                raise TypeError
            shape.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(s).__name__}") from None
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {shape}")
    return tuple(shape)


def _target(shape, dtype, out, device, requires_grad):
    """(dtype, tensor to fill in place or None) for a factory call."""
    check_device(device)
    if out is not None:
        if dtype is not None and D.as_dtype(dtype) is not out.dtype:
            raise RuntimeError(f"dtype {D.legacy_name(D.as_dtype(dtype))} does not match "
                               f"dtype of out parameter ({D.legacy_name(out.dtype)})")
        _resize(out, shape)
        return out.dtype, out
    dt = D.as_dtype(dtype) if dtype is not None else D.get_default_dtype()
    _check_rg(dt, requires_grad)
    return dt, None


def _resize(out, shape):
    """out.resize_(shape): keep its storage when the shape already fits."""
    if tuple(out._data.shape) != tuple(shape):
        out._data = np.empty(shape, out._data.dtype)


# ---- uniform ------------------------------------------------------------------------------

def _uniform_bounds(dt, lo, hi):
    mx = _FMAX[dt.name]
    mn = -mx
    cname = D.c_name(dt)
    if not mn <= lo <= mx:
        raise RuntimeError(f"from is out of bounds for {cname}")
    if not mn <= hi <= mx:
        raise RuntimeError(f"to is out of bounds for {cname}")
    if not lo <= hi:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_g(lo)} > to={_g(hi)}")
    if not hi - lo <= mx:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{D.legacy_name(dt)}>::max(), but found to={_g(hi)} and "
                           f"from={_g(lo)} which result in to-from to exceed the limit")


def _g(v):
    """A double the way torch's messages print it (C++ stream default: 6 significant digits)."""
    return f"{v:g}"


def _uniform_fill(arr_dt, n, g, lo, hi):
    """Values for uniform_ on n elements of torch dtype arr_dt (complex: n real pairs)."""
    lo, hi = float(lo), float(hi)
    if _is_complex(arr_dt):
        real = arr_dt.to_real()
        _uniform_bounds(real, lo, hi)
        v = _uniform_values(g, 2 * n, D.to_np(real), lo, hi)
        return v[0::2] + 1j * v[1::2]
    if not _is_float(arr_dt):
        raise _not_impl("check_uniform_bounds", arr_dt)
    _uniform_bounds(arr_dt, lo, hi)
    return _uniform_values(g, n, D.to_np(arr_dt), lo, hi)


def _parse_from_to(args, kwargs, defaults, fname):
    vals = list(defaults)
    names = ("from", "to")
    if len(args) > 2:
        raise TypeError(f"{fname}() takes at most 2 positional arguments ({len(args)} given)")
    for i, a in enumerate(args):
        vals[i] = a
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")
        vals[names.index(k)] = v
    return [v.item() if isinstance(v, Tensor) else v for v in vals]


def _uniform_(self, *args, generator=None, **kwargs):
    lo, hi = _parse_from_to(args, kwargs, (0.0, 1.0), "uniform_")
    check_inplace(self)
    vals = _uniform_fill(self.dtype, self._data.size, _gen(generator), lo, hi)
    return _store(self, vals, "uniform")


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    shape = _size(size, "rand")
    dt, tgt = _target(shape, dtype, out, device, requires_grad)
    n = math.prod(shape)
    vals = _uniform_fill(dt, n, _gen(generator), 0.0, 1.0)
    if tgt is not None:
        return _store(tgt, vals, "uniform")
    return _new(vals, shape, requires_grad)


# ---- normal -------------------------------------------------------------------------------

def _check_std(std):
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")


def _normal_fill(arr, g, mean, std):
    """Values for normal_ on ndarray arr (its dtype, size and contiguity decide the path)."""
    dt = _tdt(arr)
    mean, std = float(mean), float(std)
    _check_std(std)
    contiguous = arr.flags.c_contiguous
    if _is_complex(dt):
        v = _normal_values(g, 2 * arr.size, D.to_np(dt.to_real()), mean, std / math.sqrt(2),
                           contiguous)
        return v[0::2] + 1j * v[1::2]
    if not _is_float(dt):
        raise _not_impl("normal_kernel_cpu", dt)
    return _normal_values(g, arr.size, arr.dtype, mean, std, contiguous)


def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    check_inplace(self)
    return _store(self, _normal_fill(self._data, _gen(generator), mean, std), "normal")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    shape = _size(size, "randn")
    dt, tgt = _target(shape, dtype, out, device, requires_grad)
    if tgt is not None:
        return _normal_(tgt, 0.0, 1.0, generator=generator)
    vals = _normal_fill(np.empty(shape, D.to_np(dt)), _gen(generator), 0.0, 1.0)
    return _new(vals, shape, requires_grad)


def normal(mean, std=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """torch.normal: (Tensor, Tensor), (Tensor, float=1), (float, Tensor), (float, float, size)."""
    g = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None or std is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected one of "
                            "(Tensor mean, Tensor std), (Tensor mean, float std), "
                            "(float mean, Tensor std), (float mean, float std, tuple of ints size)")
        shape = _size((size,), "normal")
        dt, tgt = _target(shape, dtype, out, device, requires_grad)
        if tgt is not None:
            return _normal_(tgt, mean, std, generator=g)
        vals = _normal_fill(np.empty(shape, D.to_np(dt)), g, mean, std)
        return _new(vals, shape, requires_grad)
    if std is None:
        std = 1.0
    if st:
        if std._data.size and not (std._data.min() >= 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    if mt and not st:
        _check_std(float(std))
        dt = mean._data.dtype
        z = _normal_fill(np.empty(mean._data.shape, dt), g, 0.0, std)
        res = _add(z.reshape(mean._data.shape), mean._data, dt)
    else:
        ref = mean if mt else std
        shape = np.broadcast_shapes(mean._data.shape, std._data.shape) if mt else std._data.shape
        dt = ref._data.dtype
        z = _normal_fill(np.empty(shape, dt), g, 0.0, 1.0).reshape(shape)
        z = _mul(z, std._data, dt)
        m = mean._data if mt else np.asarray(mean).astype(dt)
        res = _add(z, m, dt)
    if out is not None:
        out._data = np.asarray(res, dtype=out._data.dtype, order="C")
        out._vc[0] += 1
        return out
    return Tensor._make(np.asarray(res, order="C"))


def _mul(a, b, dt):
    """a.mul_(b) for a of dtype dt: computed in the promoted type, stored as dt."""
    ct = np.promote_types(dt, b.dtype) if b.dtype.kind in "fc" else dt
    return np.multiply(a, b, dtype=ct).astype(dt)


def _add(a, b, dt):
    ct = np.promote_types(dt, b.dtype) if b.dtype.kind in "fc" else dt
    return np.add(a, b, dtype=ct).astype(dt)


# ---- integers -----------------------------------------------------------------------------

def _round_int(x, digits):
    """static_cast<float type>(int64 x): x rounded to `digits` significant bits, ties to even."""
    a = abs(x)
    shift = a.bit_length() - digits
    if shift <= 0:
        return x
    q, r = divmod(a, 1 << shift)
    h = 1 << (shift - 1)
    if r > h or (r == h and q & 1):
        q += 1
    return (q << shift) if x >= 0 else -(q << shift)


def _update_from(frm, digits):
    """Move `from` right until casting it to the float dtype stays >= from."""
    p1 = _round_int(frm + 1, digits)
    if p1 < frm:
        n = builtins.max(abs(frm + 1).bit_length() - 1, 0)
        frm = p1 + (1 << (n - digits + 1))
    return frm


def _update_to(to, digits):
    m1 = _round_int(to - 1, digits)
    if m1 >= to:
        n = builtins.max(abs(to - 1).bit_length() - 1, 0)
        to = m1 - (1 << (n - digits + 1))
    return to


def _check_from_to(dt, frm, to_inc):
    cname = D.c_name(dt)
    if _is_float(dt):
        mx = _FMAX[dt.name]
        mn, digits = -mx, _DIGITS[dt.name]
    elif dt is D.bool:
        mn, mx, digits = 0, 1, None
    elif dt.category == D.INT:
        i = np.iinfo(dt.np)
        mn, mx, digits = int(i.min), int(i.max), None
    else:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    if not mn <= frm <= mx:
        raise RuntimeError(f"from is out of bounds for {cname}")
    if not mn <= to_inc <= mx:
        raise RuntimeError(f"to - 1 is out of bounds for {cname}")
    if digits is not None:
        for v, name in ((frm, "from"), (to_inc, "to - 1")):
            if v < -(1 << digits) or v > (1 << digits):
                warnings.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                              f"precision limitations {cname} can support discrete uniform "
                              f"distribution only within this range. This warning will become "
                              f"an error in version 1.7 release, please fix the code in advance",
                              UserWarning, stacklevel=4)


def _cast_int(v, dt):
    """int64 values (as int64 or uint64 bit patterns) -> dt as static_cast does."""
    npdt = D.to_np(dt)
    if dt is D.bool:
        return v != 0
    if _is_float(dt) and npdt not in (_F32, _F64):
        return v.astype(_F32).astype(npdt)
    return v.astype(npdt)


def _random_from_to_values(g, n, dt, frm, to):
    """random_(from, to) (to=None: up to the dtype's max) on n elements of torch dtype dt."""
    frm = int(frm)
    if to is not None:
        to = int(to)
        if not frm < to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={frm} >= to={to}")
        if _is_float(dt):
            digits = _DIGITS[dt.name]
            frm, to = _update_from(frm, digits), _update_to(to, digits)
            if not frm < to:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' "
                                   f"casted to dtype, but got from={frm} >= to={to}")
        _check_from_to(dt, frm, to - 1)
        rng = to - frm
    elif frm != -(1 << 63):
        if _is_float(dt):
            digits = _DIGITS[dt.name]
            to_inc = 1 << digits
            frm = _update_from(frm, digits)
            if not frm < to_inc:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or "
                                   f"equal to 'to_inc' casted to dtype, but got from={frm} > "
                                   f"to_inc={to_inc}")
        elif dt is D.bool:
            to_inc = 1
        elif dt.category == D.INT:
            to_inc = int(np.iinfo(dt.np).max)
        else:
            raise RuntimeError("random_from_to_impl handles only integral, floating-point and "
                               "boolean types")
        _check_from_to(dt, frm, to_inc)
        rng = to_inc - frm + 1
    else:
        if dt not in (D.int64, D.float64, D.float32, D.bfloat16):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                               "float and bfloat16")
        return _cast_int(g._u64(n).view(np.int64), dt)
    # torch takes the remainder of a 32-bit draw unless that would skew the result by > ~5%
    r = g._u64(n) if rng >= 1 << 28 else g._u32(n)
    v = (r % _U64(rng)) + _U64(frm & 0xFFFFFFFFFFFFFFFF)
    return _cast_int(v.view(np.int64), dt)


def _random_values(g, n, dt):
    """random_() with no bounds: [0, max] for integers, [0, 2^mantissa] for floats."""
    if dt is D.bool:
        return (g._u32(n) & _U64(1)).astype(bool)
    if dt in (D.int64, D.float64):
        mod = (1 << 63) if dt is D.int64 else (1 << 53) + 1
        return _cast_int((g._u64(n) % _U64(mod)).view(np.int64), dt)
    if _is_float(dt):
        mod = (1 << _DIGITS[dt.name]) + 1
    elif dt.category == D.INT:
        mod = int(np.iinfo(dt.np).max) + 1
    else:
        raise _not_impl("random_kernel_cpu", dt)
    return _cast_int((g._u32(n) % _U64(mod)).view(np.int64), dt)


def _random_(self, *args, generator=None, **kwargs):
    """random_(), random_(to), random_(from, to); `to=None` means up to the dtype's limit."""
    check_inplace(self)
    g = _gen(generator)
    dt = self.dtype
    n = self._data.size
    if len(args) == 1 and not kwargs:
        vals = _random_from_to_values(g, n, dt, 0, _int_or_none(args[0]))
    elif args or kwargs:
        frm, to = _parse_from_to(args, kwargs, (0, None), "random_")
        vals = _random_from_to_values(g, n, dt, int(frm), _int_or_none(to))
    else:
        vals = _random_values(g, n, dt)
    return _store(self, vals, "random")


def _int_or_none(v):
    if v is None:
        return None
    return int(v.item() if isinstance(v, Tensor) else v)


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """randint(high, size) or randint(low=0, high, size); dtype defaults to int64."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args) + 1} given)")
    if len(args) == 2:
        low, high = args
    elif args and high is None:
        high = args[0]
    elif args:
        low = args[0]
    if size is None and len(args) == 2:
        raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(args[1]).__name__}")
    if size is None or high is None:
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int high, tuple of ints size, ...) or (int low, int high, tuple of "
                        "ints size, ...)")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = _size((tuple(size),), "randint")
    low = 0 if low is None else int(low)
    high = int(high)
    check_device(device)
    dt = D.as_dtype(dtype) if dtype is not None else (out.dtype if out is not None else D.int64)
    _check_rg(dt, requires_grad)
    if out is not None:
        _resize(out, shape)
    vals = _random_from_to_values(_gen(generator), math.prod(shape), dt, low, high)
    if out is not None:
        return _store(out, vals, "random")
    return _new(vals, shape, requires_grad)


# ---- randperm -----------------------------------------------------------------------------

_RANDPERM_SMALL = 0xFFFFFFFF // 20


def _stable_order(keys):
    """Stable argsort of non-negative int64 keys: LSD radix passes over 16-bit digits (NumPy's
    stable sort is a radix sort for 16-bit integers and much faster than its int64 sort)."""
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    top = int(keys.max()) if keys.size else 0
    shift = 16
    while top >> shift:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def _groups(keys, n):
    """pred[i]: the largest k < i with keys[k] == keys[i] (-1 if none); last[v]: the largest i
    with keys[i] == v (-1 if none), for v < n."""
    order = _stable_order(keys)
    sk = keys[order]
    same = sk[1:] == sk[:-1]
    pred = np.empty(keys.size, np.int64)
    pred[order[0]] = -1
    pred[order[1:]] = np.where(same, order[:-1], -1)
    ends = np.flatnonzero(~same)
    last = np.full(n, -1, np.int64)
    last[sk[ends]] = order[ends]
    last[sk[-1]] = order[-1]
    return pred, last


def _resolve(link, value):
    """Follow link[] until a node with value >= 0; return those values (pointer jumping)."""
    value = value.copy()
    link = link.copy()
    todo = np.nonzero(value < 0)[0]
    while todo.size:
        nxt = link[todo]
        done = value[nxt] >= 0
        value[todo[done]] = value[nxt[done]]
        link[todo[~done]] = link[nxt[~done]]
        todo = todo[~done]
    return value


def _randperm_values(g, n):
    if n < _RANDPERM_SMALL:
        # for i < n-1: swap(a[i], a[i + draw % (n - i)]), done without a Python loop. Step i
        # fixes a[i] for good: it receives what position j_i held just before step i, that is
        # the value moved there by the latest earlier step aimed at j_i, or j_i itself.
        if n <= 1:
            return np.arange(n, dtype=np.int64)
        k = np.arange(n, dtype=np.int64)
        j = np.empty(n, np.int64)
        j[:-1] = k[:-1] + (g._u32(n - 1) % (n - k[:-1]).astype(_U64)).astype(np.int64)
        j[-1] = n - 1                       # the last position is only ever a target
        q, last = _groups(j, n)
        # v[k]: value at position k just before step k. It was moved there by the latest earlier
        # step aimed at k (carrying that step's own v), or is k if nothing was; when step k
        # aims at itself that earlier step is q[k], else it is the last step aimed at k.
        prev = np.where(j == k, q, last)
        v = _resolve(np.where(prev >= 0, prev, k), np.where(prev >= 0, -1, k))
        return np.where(q >= 0, v[np.maximum(q, 0)], j)
    # large n: inside-out shuffle, a[i] = a[z]; a[z] = i with z = draw64 % (i + 1)
    i = np.arange(n, dtype=np.int64)
    z = (g._u64(n) % (i + 1).astype(_U64)).astype(np.int64)
    q, last = _groups(z, n)
    # F(m), the value step m copies into a[m]: what a[z_m] held before step m -- written by the
    # latest earlier step aimed at z_m (its index), else by step z_m's own copy.
    # A step aimed at itself (z_m == m) overwrites its copy with m, so its F is never read; it
    # gets a dummy value to end the chains.
    f = _resolve(np.where(q >= 0, i, z), np.where(q >= 0, q, np.where(z == i, i, -1)))
    return np.where(last >= 0, last, f)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    check_device(device)
    dt = D.as_dtype(dtype) if dtype is not None else (out.dtype if out is not None else D.int64)
    if dt is D.bool or _is_complex(dt):
        raise _not_impl("randperm", dt)
    limit = _RANDPERM_LIMIT.get(dt.name)
    if limit and n > (1 << _DIGITS[dt.name]) + 1:
        raise RuntimeError(f"n cannot be greater than {limit} for {D.legacy_name(dt)} type.")
    if dt.category == D.INT and n > 0 and n - 1 > np.iinfo(dt.np).max:
        raise RuntimeError(f"value cannot be converted to type {_CTYPE[dt.name]} without overflow")
    _check_rg(dt, requires_grad)
    vals = _cast_int(_randperm_values(_gen(generator), n), dt)
    if out is not None:
        _resize(out, (n,))
        return _store(out, vals, "randperm")
    return _new(vals, (n,), requires_grad)


_RANDPERM_LIMIT = {"float16": "2049", "float32": "2^24+1", "float64": "2^53+1"}  # not bfloat16
_CTYPE = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int32_t",
          "int64": "int64_t"}


# ---- *_like -------------------------------------------------------------------------------

def _like(input, dtype, device, requires_grad):
    check_device(device)
    dt = D.as_dtype(dtype) if dtype is not None else input.dtype
    _check_rg(dt, requires_grad)
    # empty_like keeps a permuted (e.g. transposed) layout, and the fill follows memory order
    return Tensor._make(np.empty_like(input._data, dtype=D.to_np(dt)))


def _finish_like(t, requires_grad):
    t._vc = [0]
    if requires_grad:
        t.requires_grad = True
    return t


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    t = _like(input, dtype, device, requires_grad)
    return _finish_like(_uniform_(t, generator=generator), requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    t = _like(input, dtype, device, requires_grad)
    return _finish_like(_normal_(t, generator=generator), requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    if high is None:
        low, high = 0, low
    t = _like(input, dtype, device, requires_grad)
    return _finish_like(_random_(t, int(low), int(high), generator=generator), requires_grad)


# ---- bernoulli ----------------------------------------------------------------------------

def _bernoulli_scalar(g, n, dt, p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    if _is_complex(dt):
        raise _not_impl("bernoulli_scalar_cpu_", dt)
    return (g._double(n) < p).astype(D.to_np(dt))


def _bernoulli_tensor(g, arr, p):
    """bernoulli_(p Tensor) on ndarray arr: p broadcast to arr, drawn in arr's memory order."""
    dt = _tdt(arr)
    pdt = _tdt(p)
    if _is_complex(dt):
        raise _not_impl("bernoulli_tensor_cpu_self_", dt)
    if not _is_float(pdt):
        raise _not_impl("bernoulli_tensor_cpu_p_", pdt)
    try:
        pb = np.broadcast_to(p, arr.shape)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({arr.shape[-1] if arr.ndim else 1}) "
                           f"must match the existing size ({p.shape[-1]}) at non-singleton "
                           f"dimension {arr.ndim - 1}.  Target sizes: {list(arr.shape)}.  "
                           f"Tensor sizes: {list(p.shape)}") from None
    order = _order(arr)
    pf = (pb if order is None else pb.transpose(order)).ravel()
    if pf.size and not ((pf >= 0).all() and (pf <= 1).all()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    if pdt is D.float64:
        u = g._double(pf.size)
    else:
        u = g._float(pf.size)
        pf = pf.astype(_F32)
    return (u < pf).astype(arr.dtype)


def _bernoulli_(self, p=0.5, *, generator=None):
    check_inplace(self)
    g = _gen(generator)
    if isinstance(p, Tensor):
        vals = _bernoulli_tensor(g, self._data, p._data)
    else:
        vals = _bernoulli_scalar(g, self._data.size, self.dtype, float(p))
    return _store(self, vals, "bernoulli")


def bernoulli(input, p=None, *, generator=None, out=None):
    """bernoulli(input): p = input; bernoulli(input, p): a float p for every element. The
    result is contiguous whatever input's layout, and filled in that order."""
    g = _gen(generator)
    arr = np.empty(input._data.shape, input._data.dtype)
    if p is None:
        vals = _bernoulli_tensor(g, arr, input._data)
    else:
        vals = _bernoulli_scalar(g, arr.size, input.dtype, float(p))
    res = vals.reshape(arr.shape)
    if out is not None:
        out._data = np.asarray(res, dtype=out._data.dtype, order="C")
        out._vc[0] += 1
        return out
    return Tensor._make(np.asarray(res, order="C"))


def _tensor_bernoulli(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


# ---- exponential, geometric, cauchy, log-normal --------------------------------------------

def _exponential_(self, lambd=1.0, *, generator=None):
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    dt = self.dtype
    if not _is_float(dt):
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{D.legacy_name(dt)}")
    check_inplace(self)
    return _store(self, _exponential_values(_gen(generator), self._data.size, self._data.dtype,
                                            lambd), "exponential")


def _exponential_values(g, n, npdt, lambd):
    u = g._double(n)
    return _from_double((-1.0 / lambd) * _dfunc("log1p", -u, npdt == _F64), npdt)


def _geometric_(self, p, *, generator=None):
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    dt = self.dtype
    if dt is D.bool or _is_complex(dt):
        raise _not_impl("geometric_cpu", dt)
    check_inplace(self)
    u = _gen(generator)._double(self._data.size)
    with np.errstate(divide="ignore"):
        v = np.ceil(_dfunc("log", u, self._data.dtype == _F64) / math.log(1.0 - p))
    return _store(self, _from_double(v, self._data.dtype), "geometric")


def _cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    median, sigma = float(median), float(sigma)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    dt = self.dtype
    if not _is_float(dt):
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {D.c_name(dt)}")
    check_inplace(self)
    u = _gen(generator)._double(self._data.size)
    t = _dfunc("tan", math.pi * (u - 0.5), self._data.dtype == _F64)
    return _store(self, _from_double(_fma64(np.full_like(t, sigma), t, median),
                                     self._data.dtype), "cauchy")


def _log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    mean, std = float(mean), float(std)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    dt = self.dtype
    if not _is_float(dt):
        raise _not_impl("log_normal_cpu", dt)
    check_inplace(self)
    exact = self._data.dtype == _F64
    z = _normal_scalar(_gen(generator), self._data.size, mean, std, exact)
    return _store(self, _from_double(_dfunc("exp", z, exact), self._data.dtype), "log_normal")


# ---- multinomial --------------------------------------------------------------------------

def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    g = _gen(generator)
    p = input._data
    dt = input.dtype
    if not _is_float(dt):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{D.legacy_name(dt)}")
    n_sample = int(num_samples)
    if n_sample <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not replacement and n_sample > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    p2 = p.reshape(-1, p.shape[-1])
    if not replacement or n_sample == 1:
        # Gumbel-max in exponential form: argmax / topk of p / q with q ~ Exp(1)
        with np.errstate(invalid="ignore"):
            if p.size and not (p.max() < np.inf and p.min() >= 0):
                raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (p2.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        # q is empty_like(input): it keeps a transposed layout and fills in memory order
        q = _arrange(_exponential_values(g, p.size, p.dtype, 1.0), p.shape,
                     _order(p)).reshape(p2.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = p2 / q
        if n_sample == 1:
            res = np.argmax(r, axis=1)[:, None]
        else:
            res = np.argsort(-r.astype(_F64), axis=1, kind="stable")[:, :n_sample]
    else:
        cdt = _F64 if p.dtype == _F64 else _F32
        res = np.empty((p2.shape[0], n_sample), np.int64)
        for row in builtins.range(p2.shape[0]):
            w = p2[row].astype(cdt)
            if (w < 0).any():
                raise RuntimeError("invalid multinomial distribution (encountering probability "
                                   "entry < 0)")
            if not np.isfinite(w).all():
                raise RuntimeError("invalid multinomial distribution (encountering probability "
                                   "entry = infinity or NaN)")
            cum = np.cumsum(w, dtype=cdt)
            total = cum[-1]
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = (cum / total).astype(cdt)
            cum[-1] = 1
            # first slot whose cumulative probability reaches the draw (torch's binary search)
            res[row] = np.searchsorted(cum.astype(_F64), g._double(n_sample), side="left")
    res = res.reshape(p.shape[:-1] + (n_sample,)).astype(np.int64)
    if out is not None:
        out._data = res
        out._vc[0] += 1
        return out
    return Tensor._make(res)


def _tensor_multinomial(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


# ---- poisson ------------------------------------------------------------------------------

class _Uniforms:
    """Double uniforms handed out one by one from bulk draws; close() leaves the generator
    exactly after the ones used."""

    def __init__(self, g):
        self.g = g
        self.start = g._bits.state
        self.fresh = g._fresh
        self.buf = []
        self.i = 0
        self.used = 0

    def __call__(self):
        if self.i == len(self.buf):
            self.used += self.i
            self.buf = self.g._double(4096).tolist()
            self.i = 0
        self.i += 1
        return self.buf[self.i - 1]

    def close(self):
        used = self.used + self.i
        self.g._bits.state = self.start
        self.g._fresh = self.fresh
        self.g._u64(used)


def _sample_poisson(lam, u):
    """torch's sample_poisson: Hoermann's transformed rejection for lam >= 10, else products."""
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = u() - 0.5
            V = u()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)) <= \
                    (-lam + k * loglam - math.lgamma(k + 1.0)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= u()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(input, generator=None):
    dt = input.dtype
    if not _is_float(dt):
        raise _not_impl("poisson_cpu", dt)
    lam = input._data
    if lam.size and not (lam >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    # the result is a fresh contiguous tensor, filled in its (logical) order
    flat = lam.ravel().astype(_F64).tolist()
    u = _Uniforms(_gen(generator))
    try:
        vals = [_sample_poisson(v, u) for v in flat]
    finally:
        u.close()
    return Tensor._make(np.array(vals, _F64).astype(lam.dtype).reshape(lam.shape))


# ---- Tensor methods -----------------------------------------------------------------------

for _name, _fn in (("uniform_", _uniform_), ("normal_", _normal_), ("random_", _random_),
                   ("bernoulli_", _bernoulli_), ("exponential_", _exponential_),
                   ("geometric_", _geometric_), ("cauchy_", _cauchy_),
                   ("log_normal_", _log_normal_), ("bernoulli", _tensor_bernoulli),
                   ("multinomial", _tensor_multinomial)):
    _fn.__name__ = _fn.__qualname__ = _name
    setattr(Tensor, _name, _fn)
del _name, _fn
