namespace CreditFlows.Functions.Storage;

/// <summary>Every table, queue and container the app owns; all are created idempotently at start.</summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string Branches = "Branches";
        public const string Users = "Users";
        public const string Heartbeats = "Heartbeats";

        public static readonly IReadOnlyList<string> All = [Branches, Users, Heartbeats];
    }

    public static class Queues
    {
        /// <summary>Side effects recorded in an outbox row, one message per row (<c>OutboxDispatch</c>).</summary>
        public const string Outbox = "outbox";

        public static readonly IReadOnlyList<string> All = [Outbox];
    }

    public static class Containers
    {
        /// <summary>The Functions host's own container: timer status blobs and singleton locks.</summary>
        public const string WebJobsHosts = "azure-webjobs-hosts";

        public static readonly IReadOnlyList<string> All = [WebJobsHosts];
    }
}
