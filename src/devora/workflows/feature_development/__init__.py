"""The feature-development workflow: from a request to a tested, reviewed, deployed change."""

from devora.workflows.feature_development._acceptance import (
    AcceptanceReport,
    AcceptanceTests,
    CriterionCheck,
)
from devora.workflows.feature_development._config import FeatureConfig, FeatureConfigError
from devora.workflows.feature_development._documents import (
    AcceptanceCriterion,
    ApiChange,
    ApiDesign,
    ComponentChange,
    DataChange,
    Design,
    FeaturePlan,
    PlanTask,
    Prd,
    UiComponent,
    UiDesign,
    UiField,
    UiPart,
    UserStory,
)
from devora.workflows.feature_development._errors import (
    NoCommitError,
    NotRepositoryRootError,
    UnknownEnvironmentError,
)
from devora.workflows.feature_development._implement import HumanChange, Implementation
from devora.workflows.feature_development._inputs import FeatureInputs
from devora.workflows.feature_development._migration_check import MigrationCheck
from devora.workflows.feature_development._review import KeptFeature
from devora.workflows.feature_development._workflow import (
    feature_development,
    feature_development_outputs,
    feature_development_steps,
)

__all__ = [
    "AcceptanceCriterion",
    "AcceptanceReport",
    "AcceptanceTests",
    "ApiChange",
    "ApiDesign",
    "ComponentChange",
    "CriterionCheck",
    "DataChange",
    "Design",
    "FeatureConfig",
    "FeatureConfigError",
    "FeatureInputs",
    "FeaturePlan",
    "HumanChange",
    "Implementation",
    "KeptFeature",
    "MigrationCheck",
    "NoCommitError",
    "NotRepositoryRootError",
    "PlanTask",
    "Prd",
    "UiComponent",
    "UiDesign",
    "UiField",
    "UiPart",
    "UnknownEnvironmentError",
    "UserStory",
    "feature_development",
    "feature_development_outputs",
    "feature_development_steps",
]
