using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Branches;
using CreditFlows.Functions.Features.Notifications;
using CreditFlows.Functions.Storage;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>A report as archived: the numbers, which files sit beside it, and whether the week was over when it was built.</summary>
public sealed record ArchivedReport(string Week, string Scope, bool Final, DateTimeOffset GeneratedAt, IReadOnlyList<string> Files, WeeklyReport Report);

/// <summary>
/// The archive (container <c>reports</c>): a finished week's report of a scope lives at <c>{yyyy}-W{ww}/{scope}/</c> and is
/// written once (every blob with If-None-Match *, <c>report.json</c> last, so a second build keeps the first); a report of
/// the week still running (on demand) lives at <c>{yyyy}-W{ww}/{scope}/draft/</c> and is replaced each time. The mail
/// goes through the <c>notifications</c> queue with id <c>weekly/{week}/{address}</c>, which SendNotification sends once.
/// </summary>
public sealed class WeeklyReportService(
    WeeklyReportAssembler assembler,
    BlobServiceClient blobs,
    QueueServiceClient queues,
    BranchStore branches,
    RecipientStore recipients,
    IOptions<ReportOptions> options,
    TimeProvider time)
{
    public const string Json = "report.json";

    public BlobContainerClient Container { get; } = blobs.GetBlobContainerClient(options.Value.Container);

    public static string Folder(string week, string scope, bool final) => final ? $"{week}/{scope}/" : $"{week}/{scope}/draft/";

    public async Task<IReadOnlyDictionary<string, ArchivedReport>> ArchiveAsync(ReportWeek week, IReadOnlyCollection<string> scopes, bool final, CancellationToken cancellationToken,
        ReportTimings? timings = null)
    {
        var lap = System.Diagnostics.Stopwatch.StartNew();
        await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var found = new ConcurrentDictionary<string, ArchivedReport>(StringComparer.Ordinal);
        var distinct = scopes.Distinct().ToList();
        if (final)
        {
            await Parallel.ForEachAsync(distinct, Concurrent(cancellationToken), async (scope, ct) =>
            {
                if (await FindAsync(week, scope, finalOnly: true, ct) is { } done)
                {
                    found[scope] = done;
                }
            });
        }

        var missing = distinct.Where(s => !found.ContainsKey(s)).ToList();
        if (missing.Count == 0)
        {
            timings?.AddArchive(lap);
            return found;
        }

        var names = (await branches.ListAsync(cancellationToken)).ToDictionary(b => b.Id.Value, b => b.Name, StringComparer.Ordinal);
        timings?.AddArchive(lap);
        // Each scope is archived as soon as it is rendered, while the others render: the writes wait on storage, the
        // rendering on the CPU.
        var ready = Channel.CreateUnbounded<RenderedReport>(new UnboundedChannelOptions { SingleReader = true });
        var archiving = Parallel.ForEachAsync(ready.Reader.ReadAllAsync(cancellationToken), Concurrent(cancellationToken), async (item, ct) =>
        {
            // The files first (at once), report.json last: a report.json in the archive means its files are there.
            var scope = item.Report.Scope;
            var folder = Folder(week.ToString(), scope, final);
            await Task.WhenAll(item.Files.Select(f => WriteAsync(folder + f.Key, f.Value, WeeklyReportAssembler.ContentTypes[f.Key], final, ct)));
            var archived = new ArchivedReport(week.ToString(), scope, final, time.GetUtcNow(), [.. item.Files.Keys], item.Report);
            if (await WriteAsync(folder + Json, JsonSerializer.SerializeToUtf8Bytes(archived, TableNplHistory.Json), "application/json", final, ct))
            {
                found[scope] = archived;
            }
            else
            {
                // An earlier or concurrent build archived this scope first: its report is the one that stays.
                found[scope] = await FindAsync(week, scope, finalOnly: final, ct) ?? throw new InvalidOperationException($"Report {week}/{scope} was not archived.");
            }
        });
        try
        {
            await assembler.BuildAsync(week, missing, names, cancellationToken, timings, r => ready.Writer.TryWrite(r));
        }
        catch
        {
            ready.Writer.TryComplete();
            await archiving.ContinueWith(_ => { }, TaskScheduler.Default); // let the writes in flight end; the build's failure is the one to report
            throw;
        }

        ready.Writer.TryComplete();

        lap.Restart();
        await archiving; // the archive time counted is what is left after the rendering
        timings?.AddArchive(lap);
        return found;
    }

    /// <summary>The archived report of a week and scope: the final one, else (unless <paramref name="finalOnly"/>) the latest draft.</summary>
    public async Task<ArchivedReport?> FindAsync(ReportWeek week, string scope, bool finalOnly, CancellationToken cancellationToken)
    {
        foreach (var final in finalOnly ? [true] : new[] { true, false })
        {
            try
            {
                var content = await Container.GetBlobClient(Folder(week.ToString(), scope, final) + Json).DownloadContentAsync(cancellationToken);
                return content.Value.Content.ToObjectFromJson<ArchivedReport>(TableNplHistory.Json);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }

        return null;
    }

    /// <summary>Builds (or finds) the week's final reports for every active recipient's scope and queues one mail per recipient, once.</summary>
    public async Task<string> SendWeekAsync(ReportWeek week, CancellationToken cancellationToken)
    {
        var active = (await recipients.ListAsync(cancellationToken)).Where(r => !r.Paused).ToList();
        if (active.Count == 0)
        {
            return $"Weekly report {week}: no active recipients.";
        }

        var timings = new ReportTimings();
        var reports = await ArchiveAsync(week, [.. active.Select(r => r.Scope).Distinct()], final: true, cancellationToken, timings);
        var queue = queues.GetQueueClient(StorageNames.Queues.Notifications);
        var queued = 0;
        foreach (var recipient in active)
        {
            if (await recipients.WasQueuedAsync(week.ToString(), recipient.Email, cancellationToken))
            {
                continue;
            }

            var message = Mail(week, reports[recipient.Scope], recipient);
            await queue.SendMessageAsync(JsonSerializer.Serialize(message, ApplicationStore.Json), cancellationToken);
            await recipients.MarkQueuedAsync(week.ToString(), recipient.Email, message.NotificationId, time.GetUtcNow(), cancellationToken);
            queued++;
        }

        return $"Weekly report {week}: {reports.Count} scope(s) archived ({timings}), {queued} mail(s) queued, {active.Count - queued} queued before.";
    }

    public static string NotificationId(ReportWeek week, string email) => $"weekly/{week}/{email.ToLowerInvariant()}";

    public NotificationMessage Mail(ReportWeek week, ArchivedReport archived, Recipient recipient)
    {
        var folder = Folder(archived.Week, archived.Scope, archived.Final);
        var container = options.Value.Container;
        var scope = archived.Scope;
        string Link(string file) => $"{options.Value.ResolvedLinkBaseUrl()}/api/reports/weekly/files/{file}?week={archived.Week}&branch={Uri.EscapeDataString(scope)}";
        return new NotificationMessage(
            NotificationId(week, recipient.Email), $"report:{week}/{scope}", "report.weekly", null, null, null,
            ReportHtml.Subject(archived.Report), ReportHtml.Text(archived.Report),
            Html: ReportHtml.Render(archived.Report, name => "cid:" + name),
            Attachments:
            [
                new MailAttachment(container, folder + WeeklyReportAssembler.TrendPng, "trend.png", "image/png", "trend"),
                new MailAttachment(container, folder + WeeklyReportAssembler.CategoriesPng, "categories.png", "image/png", "categories"),
                new MailAttachment(container, folder + WeeklyReportAssembler.LedgerXlsx, $"npl-ledger-{scope}-{week}.xlsx", LedgerFiles.XlsxType, Link: Link(WeeklyReportAssembler.LedgerXlsx)),
                new MailAttachment(container, folder + WeeklyReportAssembler.LedgerCsv, $"npl-ledger-{scope}-{week}.csv", "text/csv", Link: Link(WeeklyReportAssembler.LedgerCsv)),
            ],
            To: [recipient.Email]);
    }

    /// <summary>Blob writes (or reads) in flight at once: the archive waits on storage, not on the CPU.</summary>
    private static ParallelOptions Concurrent(CancellationToken cancellationToken) => new() { CancellationToken = cancellationToken, MaxDegreeOfParallelism = 8 };

    /// <summary>Writes the blob; false when <paramref name="once"/> and it was there already (the first one stays).</summary>
    private async Task<bool> WriteAsync(string name, byte[] bytes, string contentType, bool once, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            Conditions = once ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null,
        };
        try
        {
            await Container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), options, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (once && ex.Status is 409 or 412)
        {
            return false; // Written by an earlier or concurrent build of the same week: the first one stays.
        }
    }
}
