"""torch.autograd.gradcheck / gradgradcheck: backward against central finite differences.

The slow-mode check of torch: every entry of the Jacobian of every differentiable output with
respect to every input that requires grad, analytical (one autograd.grad per output element)
against numerical ((f(x + eps) - f(x - eps)) / 2 eps per input element), plus torch's
reentrancy check (backward twice gives the same numbers). Real dtypes only.
"""
import warnings

import numpy as np

from .. import _tensor as _tensor_module


class GradcheckError(RuntimeError):
    """Raised by gradcheck / gradgradcheck when a check fails (a RuntimeError, as in torch)."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if isinstance(o, _tensor_module.Tensor) and o.requires_grad)


def _numerical_jacobian(func, inputs, diff_idx, n_out_elems, eps):
    """numerical[j][i]: d output i / d input j as an (input numel, output numel) float64 array."""
    result = []
    for j in diff_idx:
        data = inputs[j]._data
        per_out = [np.zeros((data.size, n)) for n in n_out_elems]
        for m, index in enumerate(np.ndindex(data.shape)):
            orig = data[index].copy()
            data[index] = orig + eps
            plus = _output_values(func, inputs)
            data[index] = orig - eps
            minus = _output_values(func, inputs)
            data[index] = orig
            for i, (p, q) in enumerate(zip(plus, minus)):
                per_out[i][m] = (p - q) / (2 * eps)
        result.append(per_out)
    return result


def _output_values(func, inputs):
    """The differentiable outputs' values as flat float64 arrays (run with grad on, so the
    selection of outputs is the same as for the analytical side)."""
    return [np.array(o._data, dtype=np.float64).reshape(-1) for o in _differentiable_outputs(func(*inputs))]


def _analytical_jacobian(outputs, inputs, diff_idx):
    """analytical[j][i] in the layout of _numerical_jacobian, from one autograd.grad per output entry."""
    from . import grad
    targets = [inputs[j] for j in diff_idx]
    result = [[np.zeros((inputs[j]._data.size, o._data.size)) for o in outputs] for j in diff_idx]
    for i, out in enumerate(outputs):
        flat = out.reshape(-1)
        for k in range(out._data.size):
            gs = grad(flat[k], targets, retain_graph=True, allow_unused=True)
            for jj, g in enumerate(gs):
                if g is not None:
                    result[jj][i][:, k] = np.asarray(g._data, dtype=np.float64).reshape(-1)
    return result


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when backward matches finite differences; else GradcheckError (or False)."""
    Tensor = _tensor_module.Tensor
    tupled = _as_tuple(inputs)
    diff_idx = [j for j, t in enumerate(tupled) if isinstance(t, Tensor) and t.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the "
                         "them have requires_grad=True.")
    for j in diff_idx:
        if tupled[j]._data.dtype not in (np.float64, np.complex128):
            warnings.warn(f"Input #{j} requires gradient and is not a double precision floating point or "
                          f"complex. This check will likely fail if all the inputs are not of double "
                          f"precision floating point or complex. ", stacklevel=2)
    outputs = _differentiable_outputs(func(*tupled))
    if not check_backward_ad or not outputs:
        return True
    numerical = _numerical_jacobian(func, tupled, diff_idx, [o._data.size for o in outputs], eps)
    analytical = _analytical_jacobian(outputs, tupled, diff_idx)
    for jj, j in enumerate(diff_idx):
        for i in range(len(outputs)):
            a, n = analytical[jj][i], numerical[jj][i]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {i} with respect to input {j},\n"
                             f"numerical:{Tensor._make(n)}\nanalytical:{Tensor._make(a)}\n", raise_exception)
    again = _analytical_jacobian(outputs, tupled, diff_idx)
    for jj, j in enumerate(diff_idx):
        for i in range(len(outputs)):
            if np.abs(again[jj][i] - analytical[jj][i]).max(initial=0.0) > nondet_tol:
                return _fail(f"Backward is not reentrant, i.e., running backward with same input and "
                             f"grad_output multiple times gives different values, although analytical "
                             f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                             f"{nondet_tol}.", raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the map (inputs, grad_outputs) -> grad of func: second derivatives."""
    from . import grad
    Tensor = _tensor_module.Tensor
    tupled = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = _differentiable_outputs(func(*tupled))
        grad_outputs = tuple(Tensor._make(rng.uniform(-1, 1, o._data.shape).astype(o._data.dtype))
                             .requires_grad_(True) for o in outs)
    tupled_grad_outputs = _as_tuple(grad_outputs)
    n_out = len(tupled_grad_outputs)

    def new_func(*args):
        input_args, gouts = args[:-n_out], args[-n_out:]
        outs = _differentiable_outputs(func(*input_args))
        diff_args = tuple(x for x in input_args if isinstance(x, Tensor) and x.requires_grad)
        grads = grad(outs, diff_args, gouts, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    if not check_rev_over_rev:
        return True
    return gradcheck(new_func, tupled + tupled_grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
