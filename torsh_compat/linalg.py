"""torch.linalg: the namespace over ops/linalg.py (plus norms from ops/reduction.py)."""
from .ops.linalg import (LinAlgError, linalg_inv as inv, linalg_inv_ex as inv_ex,
                         linalg_solve as solve, linalg_det as det, linalg_slogdet as slogdet,
                         linalg_cholesky as cholesky, linalg_cholesky_ex as cholesky_ex,
                         linalg_qr as qr, linalg_eigh as eigh, linalg_eigvalsh as eigvalsh,
                         linalg_svd as svd, linalg_svdvals as svdvals, linalg_pinv as pinv,
                         linalg_matrix_rank as matrix_rank, linalg_matrix_power as matrix_power,
                         linalg_cross as cross, matmul, multi_dot, vecdot)

__all__ = ["LinAlgError", "inv", "inv_ex", "solve", "det", "slogdet", "cholesky", "cholesky_ex",
           "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "matrix_rank", "matrix_power",
           "cross", "matmul", "multi_dot", "vecdot", "norm", "vector_norm", "matrix_norm"]


def __getattr__(name):
    # vector_norm / matrix_norm live with the reductions (ops/reduction.py); resolved on first use
    if name in ("vector_norm", "matrix_norm"):
        from .ops import reduction
        return getattr(reduction, name)
    raise AttributeError(f"module 'torch.linalg' has no attribute '{name}'")


def norm(input, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """torch.linalg.norm: a vector norm, or a matrix norm when ord is given for 2 dims."""
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if ord is not None:
        if dim is None:
            if input.ndim not in (1, 2):
                raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                                   f"must be 1D or 2D. Got {input.ndim}D.")
            dim = tuple(range(input.ndim))
        if len(dim) == 2:
            return __getattr__("matrix_norm")(input, ord, dim, keepdim, dtype=dtype, out=out)
        return __getattr__("vector_norm")(input, ord, dim, keepdim, dtype=dtype, out=out)
    return __getattr__("vector_norm")(input, 2, dim, keepdim, dtype=dtype, out=out)
