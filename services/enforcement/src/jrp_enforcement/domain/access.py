"""Who may see which orders: a department its own, the joint conference office all
(DOMAIN.md §5 step 5: monitoring of who has responded is the office's job)."""

from __future__ import annotations

from jrp_shared.auth import ROLE_ADMINISTRATOR, Principal
from jrp_shared.errors import Forbidden


def department_scope(principal: Principal, department: str | None) -> str | None:
    """The department whose orders `principal` may read when asking for `department`
    (None: every department, administrators only)."""
    if ROLE_ADMINISTRATOR in principal.roles:
        return department
    if department is not None and department != principal.department_code:
        raise Forbidden(
            f"department {principal.department_code} may only read its own orders, "
            f"not those of {department}"
        )
    return principal.department_code


def may_read_order(principal: Principal, order_department: str) -> None:
    department_scope(principal, order_department)
