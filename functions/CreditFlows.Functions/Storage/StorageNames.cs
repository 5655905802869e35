namespace CreditFlows.Functions.Storage;

/// <summary>Every table, queue and container the app owns; all are created idempotently at start.</summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string Branches = "Branches";
        public const string Users = "Users";
        public const string Heartbeats = "Heartbeats";

        /// <summary>One partition per loan application: its state row, event log, outbox and idempotency records.</summary>
        public const string Applications = "Applications";

        /// <summary>Idempotency keys of application creations (which have no partition yet when they arrive).</summary>
        public const string Idempotency = "Idempotency";

        /// <summary>Authority matrix versions; a version is never changed once stored.</summary>
        public const string AuthorityMatrices = "AuthorityMatrices";

        /// <summary>Mail SendGrid would not take, kept for HQ to see (<c>GET /api/mail/failures</c>).</summary>
        public const string MailFailures = "MailFailures";

        /// <summary>Other HQ settings under maker-checker, one partition per kind (<c>workflow</c>); versions and effective dates.</summary>
        public const string HqSettings = "HqSettings";

        /// <summary>Credit files, one partition per application: the document index, version claims and the access log.</summary>
        public const string Documents = "Documents";

        public static readonly IReadOnlyList<string> All = [Branches, Users, Heartbeats, Applications, Idempotency, AuthorityMatrices, MailFailures, HqSettings, Documents];
    }

    public static class Queues
    {
        /// <summary>Side effects recorded in an outbox row, one message per row (<c>OutboxDispatch</c>).</summary>
        public const string Outbox = "outbox";

        /// <summary>Emails to send (<c>SendNotification</c>).</summary>
        public const string Notifications = "notifications";

        /// <summary>Contracted loans for the core banking system to disburse; core banking reads this queue.</summary>
        public const string CoreBankingHandOff = "core-banking-handoff";

        /// <summary>Notifications that failed every try (the host's poison-queue name for <c>notifications</c>).</summary>
        public const string NotificationsPoison = "notifications-poison";

        public static readonly IReadOnlyList<string> All = [Outbox, Notifications, CoreBankingHandOff, NotificationsPoison];
    }

    public static class Containers
    {
        /// <summary>The Functions host's own container: timer status blobs and singleton locks.</summary>
        public const string WebJobsHosts = "azure-webjobs-hosts";

        /// <summary>Mail the local SendGrid capture endpoint received (Development only).</summary>
        public const string MailCapture = "mail-capture";

        /// <summary>Scanned credit files: <c>{branch}/{application}/{type}/{document-id}</c>, never overwritten.</summary>
        public const string CreditFiles = "credit-files";

        public static readonly IReadOnlyList<string> All = [WebJobsHosts, MailCapture, CreditFiles];
    }
}
