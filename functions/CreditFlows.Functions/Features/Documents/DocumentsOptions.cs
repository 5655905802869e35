using System.ComponentModel.DataAnnotations;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Documents;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>Settings of section <c>Documents</c> (credit files).</summary>
public sealed class DocumentsOptions
{
    public const string Section = "Documents";

    /// <summary>The largest file accepted, in bytes (default 25 MiB); a larger body gets 413.</summary>
    [Range(1024, 4L * 1024 * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>
    /// A body whose Content-Length is known and at most this many bytes goes to storage in one Put Blob, streamed
    /// as it arrives (what the SDK does by default below 256 MiB: one request, no block list). A longer or chunked
    /// body (no Content-Length) goes as staged blocks. 0 sends every upload as blocks. Default 256 MiB, the SDK's
    /// own single-request threshold; Put Blob itself allows up to 5000 MiB.
    /// </summary>
    [Range(0, 4L * 1024 * 1024 * 1024)]
    public long SingleRequestMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Bytes per staged block: one block is read from the request while earlier ones are sent to storage.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int BlockBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Blocks sent to storage at once per upload (memory per upload is about (this + 1) × BlockBytes).</summary>
    [Range(1, 8)]
    public int ParallelBlocks { get; set; } = 2;

    /// <summary>
    /// <c>CreditFileSweep</c> deletes a credit-file blob that no index row names once it is this old (by its
    /// <c>uploadedat</c> metadata): an upload writes its index milliseconds after its blob, so only a crash between the
    /// two leaves one. Default 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back <c>CreditFileSweep</c> looks (blobs stored before that were checked by earlier runs). Default 7 days.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan SweepLookback { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long an upload session's URL lets the client create its blob (straight to storage, for slow links and large
    /// files). Default 30 minutes; it must be shorter than <see cref="OrphanGrace"/>, so the sweep never deletes a file
    /// whose session could still be completed soon after.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan UploadSessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Refuse workflow commands whose checklist is incomplete (false: the checklist is shown, not enforced).</summary>
    public bool EnforceChecklist { get; set; } = true;

    /// <summary>The checklist rules; unset means <see cref="Domain.Documents.Checklist.Default"/>. Setting any rule replaces the defaults.</summary>
    public List<ChecklistRuleOptions>? Checklist { get; set; }

    public IEnumerable<string> Problems()
    {
        if (UploadSessionLifetime >= OrphanGrace)
        {
            yield return "Documents:UploadSessionLifetime must be shorter than Documents:OrphanGrace.";
        }

        var n = 0;
        foreach (var rule in Checklist ?? [])
        {
            if (rule.Stage is not { } stage || !Domain.Documents.Checklist.MainLine.Contains(stage) || stage == ApplicationState.Disbursed)
            {
                yield return $"Documents:Checklist:{n}:Stage must be a workflow stage from Draft to ReadyForDisbursement.";
            }

            if (rule.Documents.Count == 0)
            {
                yield return $"Documents:Checklist:{n}:Documents must name at least one document type.";
            }

            n++;
        }
    }

    public Checklist ToChecklist() => Checklist is null
        ? Domain.Documents.Checklist.Default
        : new Checklist(Checklist.Select(r => new ChecklistRule(r.Stage!.Value, r.Product, r.GuaranteeType, r.Documents.Distinct().ToList())).ToList());
}

/// <summary>One checklist rule as configured: <c>Documents__Checklist__0__Stage=Investigation</c>, <c>…__GuaranteeType=Mortgage</c>, <c>…__Documents__0=PropertyCertificate</c>.</summary>
public sealed class ChecklistRuleOptions
{
    public ApplicationState? Stage { get; set; }

    public Product? Product { get; set; }

    public GuaranteeType? GuaranteeType { get; set; }

    public List<DocumentType> Documents { get; set; } = [];
}
