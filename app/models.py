"""Import every model so SQLAlchemy's metadata (and Alembic) sees the whole domain."""

from app.accounts.models import ApiToken, Role, User  # noqa: F401
from app.assessments.models import Assessment, Need, Question, Respondent  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.cache.models import ChangeStamp, ChangeStampShard  # noqa: F401
from app.calendar.models import CalendarReply  # noqa: F401
from app.certificates.models import Certificate, CertificateSettings  # noqa: F401
from app.contributions.models import ContributionCall, Proposal, ProposalSupport  # noqa: F401
from app.directory.models import Organisation, OrganisationType, Project, Theme  # noqa: F401
from app.events.models import Event, Session, SessionSpeaker  # noqa: F401
from app.facilities.models import Facility  # noqa: F401
from app.learning.models import (  # noqa: F401
    CheckAnswer,
    CheckOption,
    CheckQuestion,
    CheckSubmission,
    FollowUpAnswer,
    FollowUpSurvey,
    KnowledgeCheck,
)
from app.lessons.models import (  # noqa: F401
    ActionNote,
    FollowUpAction,
    Lesson,
    LessonTransition,
    Summary,
    SummaryVersion,
)
from app.notifications.models import OutboxMessage  # noqa: F401
from app.registrations.email_texts import EventEmailText  # noqa: F401
from app.registrations.models import (  # noqa: F401
    AttendanceDay,
    Feedback,
    Invitation,
    Registration,
    SessionAttendance,
    SessionSignup,
)
from app.registrations.question_models import RegistrationAnswer, RegistrationQuestion  # noqa: F401
from app.reports import tallies  # noqa: F401  (the triggers keeping ParticipationTally, with the tables)
from app.reports.models import ParticipationTally, ReportSnapshot  # noqa: F401
from app.scheduler.models import JobRun, SchedulerLease  # noqa: F401
from app.travel.models import TravelPlan, TravelSettings  # noqa: F401
