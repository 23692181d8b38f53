"""The scaling workflow: load test, analyze, capacity plan, infrastructure."""

from devora.workflows.scaling._analysis import LoadAnalysis, StageVerdict, analyze_stages
from devora.workflows.scaling._capacity import CapacityPlan, plan_capacity
from devora.workflows.scaling._config import (
    ScalingInputs,
    ScalingSettings,
    resolve_scaling_settings,
)
from devora.workflows.scaling._infrastructure import (
    Infrastructure,
    build_infrastructure,
    gunicorn_config,
    kubernetes_manifests,
    worker_count,
)
from devora.workflows.scaling._workflow import scaling, scaling_outputs

__all__ = [
    "CapacityPlan",
    "Infrastructure",
    "LoadAnalysis",
    "ScalingInputs",
    "ScalingSettings",
    "StageVerdict",
    "analyze_stages",
    "build_infrastructure",
    "gunicorn_config",
    "kubernetes_manifests",
    "plan_capacity",
    "resolve_scaling_settings",
    "scaling",
    "scaling_outputs",
    "worker_count",
]
