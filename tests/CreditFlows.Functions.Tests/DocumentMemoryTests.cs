using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;
using Xunit.Abstractions;

namespace CreditFlows.Functions.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Memory (runs alone)";
}

/// <summary>
/// A correctness guard against buffering, not a speed test: a 100 MB upload through the real app must not grow the
/// test host's managed heap anywhere near the file's size. It runs alone (no other test allocates meanwhile); the
/// client generates the file as it sends it, so the only way to see 100 MB in the heap is for the app to hold it.
/// </summary>
[Collection(MemoryCollection.Name)]
public class DocumentMemoryTests(ITestOutputHelper output) : AppTestBase(new TestApp(settings: new Dictionary<string, string?>
{
    ["Documents:MaxUploadBytes"] = (200L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
}))
{
    private const long FileBytes = 100L * 1024 * 1024;

    /// <summary>The allowed growth: under half the file (staged blocks hold about 3 blocks of 4 MiB; one Put Blob streams through an 80 KiB copy buffer).</summary>
    private const long AllowedGrowth = 48L * 1024 * 1024;

    /// <summary>With its Content-Length (within Documents:SingleRequestMaxBytes): one Put Blob, the body streamed into it.</summary>
    [Fact]
    public async Task A_100_MB_upload_with_its_length_streams_through_one_Put_Blob_with_bounded_memory_and_the_right_hash() =>
        await UploadWithBoundedMemoryAsync(() => new StreamContent(DocumentSamples.Stream(FileKind.Pdf, FileBytes), 64 * 1024));

    /// <summary>Chunked (no length known): staged blocks.</summary>
    [Fact]
    public async Task A_100_MB_chunked_upload_streams_through_staged_blocks_with_bounded_memory_and_the_right_hash() =>
        await UploadWithBoundedMemoryAsync(() => Documents.Chunked(DocumentSamples.Stream(FileKind.Pdf, FileBytes)));

    private async Task UploadWithBoundedMemoryAsync(Func<HttpContent> body)
    {
        var loans = new Loans(App);
        var id = await loans.OpenAsync();
        await Documents.UploadOkAsync(loans.Officer, id, "Other", DocumentSamples.Bytes(FileKind.Pdf, 10_000)); // warm every path

        string expectedHash;
        using (var sha = SHA256.Create())
        {
            expectedHash = Convert.ToHexStringLower(await sha.ComputeHashAsync(DocumentSamples.Stream(FileKind.Pdf, FileBytes)));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        long peak = baseline;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(5);
            }
        });

        // A plain client: the test client of WebApplicationFactory follows redirects by buffering request bodies.
        using var plain = new HttpClient { BaseAddress = Client.BaseAddress };
        plain.DefaultRequestHeaders.Authorization = loans.Officer.DefaultRequestHeaders.Authorization;
        using var content = body();
        var response = await Documents.UploadAsync(plain, id, "Other", content, chunked: content.Headers.ContentLength is null);
        await sampling.CancelAsync();
        await sampler;

        var document = await Loans.ReadAsync(response, HttpStatusCode.Created);
        Assert.Equal(FileBytes, document["size"]!.GetValue<long>());
        Assert.Equal(expectedHash, document["sha256"]!.GetValue<string>());
        var growth = peak - baseline;
        output.WriteLine($"Managed heap: baseline {baseline / 1048576.0:0.0} MiB, peak {peak / 1048576.0:0.0} MiB, growth {growth / 1048576.0:0.0} MiB, " +
            $"allocated meanwhile {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0:0.0} MiB; " +
            $"working set {workingSetBefore / 1048576.0:0.0} → {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:0.0} MiB.");
        Assert.True(growth < AllowedGrowth, $"The heap grew by {growth / 1048576.0:0.0} MiB during a {FileBytes / 1048576} MiB upload (allowed {AllowedGrowth / 1048576} MiB): is the upload buffered?");
    }
}
