"""Dependencies the order routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jrp_enforcement.service_layer.context import OrdersContext
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.web import runtime_of


def _orders(request: Request) -> OrdersContext:
    orders: OrdersContext = request.app.state.orders
    return orders


OrdersDep = Annotated[OrdersContext, Depends(_orders)]
RuntimeDep = Annotated[ServiceRuntime, Depends(runtime_of)]
