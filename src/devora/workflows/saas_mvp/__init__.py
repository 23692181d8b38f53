"""SaaS MVP: a product spec (or an idea) to a generated, verified and deployed project."""

from devora.workflows.saas_mvp._errors import GenerationError, OutputNotEmptyError, SpecError
from devora.workflows.saas_mvp._generate import GeneratedProject, generate_project
from devora.workflows.saas_mvp._inputs import SaasConfigError, SaasMvpInputs
from devora.workflows.saas_mvp._load import load_spec, parse_spec
from devora.workflows.saas_mvp._records import (
    Architecture,
    Deployment,
    Verification,
    VerificationStatus,
    Verified,
)
from devora.workflows.saas_mvp._spec import ProductSpec
from devora.workflows.saas_mvp._verify_steps import VerificationFailedError
from devora.workflows.saas_mvp._workflow import saas_mvp, saas_mvp_steps

__all__ = [
    "Architecture",
    "Deployment",
    "GeneratedProject",
    "GenerationError",
    "OutputNotEmptyError",
    "ProductSpec",
    "SaasConfigError",
    "SaasMvpInputs",
    "SpecError",
    "Verification",
    "VerificationFailedError",
    "VerificationStatus",
    "Verified",
    "generate_project",
    "load_spec",
    "parse_spec",
    "saas_mvp",
    "saas_mvp_steps",
]
