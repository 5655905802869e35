using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Storage;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Bench;

/// <summary>
/// The documents benchmark (<c>scripts/bench.sh --documents</c>): upload throughput through the API against a raw SDK
/// upload of the same bytes to the same Azurite, alternating in one run, each API path against its SDK counterpart
/// (with Content-Length: one Put Blob, vs the SDK's default, with and without a declared Repr-Digest; chunked: staged
/// blocks, vs the SDK with the same blocks),
/// and the memory a 100 MiB upload adds to the process that hosts the app, each way. Options: --rounds N (default 8), --size-mib S (default 25, the default upload limit).
/// </summary>
public static class DocumentsBench
{
    public static async Task<int> RunAsync(string[] args, string storage)
    {
        var rounds = 8;
        var sizeMiB = 25;
        for (var n = 0; n < args.Length; n++)
        {
            switch (args[n])
            {
                case "--rounds": rounds = int.Parse(args[++n], CultureInfo.InvariantCulture); break;
                case "--size-mib": sizeMiB = int.Parse(args[++n], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"Unknown option {args[n]}. Options: --documents [--rounds N] [--size-mib S]"); return 64;
            }
        }

        long size = sizeMiB * 1024L * 1024;
        const long Big = 100L * 1024 * 1024;
        Console.WriteLine($"CreditFlows documents benchmark: {rounds} rounds of one {sizeMiB} MiB PDF each way, then one {Big >> 20} MiB upload each way for memory. " +
            $"{Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");

        await using var app = new BenchApp(storage, "Warning", new Dictionary<string, string?> { ["Documents:MaxUploadBytes"] = (Big * 2).ToString(CultureInfo.InvariantCulture) });
        var address = app.Start();
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.TokenFor("lo-b01", "B01", Role.LoanOfficer));
        var id = await OpenAsync(http);
        var raw = new BlobServiceClient(storage).GetBlobContainerClient("bench-raw");
        await raw.CreateIfNotExistsAsync();
        var sameBlocks = new StorageTransferOptions { MaximumTransferSize = 4 * 1024 * 1024, InitialTransferSize = 4 * 1024 * 1024, MaximumConcurrency = 2 };

        // The client's declared SHA-256 (Repr-Digest) of the file, computed once before the rounds as a phone app would when the
        // scan is made: the generator is deterministic, so every round sends the same bytes. What hashing costs the client is printed.
        var hashWatch = Stopwatch.StartNew();
        var digest = DigestOf(size);
        hashWatch.Stop();
        var warmDigest = DigestOf(1024 * 1024);

        // Warm-up: every path once.
        await ApiAsync(http, id, 1024 * 1024, chunked: false);
        await ApiAsync(http, id, 1024 * 1024, chunked: false, warmDigest);
        await ApiAsync(http, id, 1024 * 1024, chunked: true);
        await SessionAsync(http, id, 1024 * 1024, warmDigest);
        await RawAsync(raw, 1024 * 1024, null);
        await RawAsync(raw, 1024 * 1024, sameBlocks);

        var api = new List<double>();
        var apiDigest = new List<double>();
        var apiSession = new List<double>();
        var apiChunked = new List<double>();
        var sdk = new List<double>();
        var sdkSameBlocks = new List<double>();
        var cpu = new Dictionary<string, (double Self, double Azurite)>();
        // Each round runs every path once, in an order shuffled each round (a fixed seed, so runs are alike), so no path
        // always follows the same other one: what Azurite is still doing after a large upload lands on the next. Each blob
        // is deleted after it is timed, so the in-memory Azurite holds about the same whatever the round.
        var credit = new BlobServiceClient(storage).GetBlobContainerClient(StorageNames.Containers.CreditFiles);
        var paths = new (string Name, List<double> Rates, Func<Task<(double Rate, string Blob)>> Upload)[]
        {
            ("API, with Content-Length", api, () => ApiAsync(http, id, size, chunked: false)),
            ("Raw SDK, default", sdk, () => RawAsync(raw, size, null)),
            ("API, with Content-Length and Repr-Digest", apiDigest, () => ApiAsync(http, id, size, chunked: false, digest)),
            ("API, chunked", apiChunked, () => ApiAsync(http, id, size, chunked: true)),
            ("Raw SDK, same blocks", sdkSameBlocks, () => RawAsync(raw, size, sameBlocks)),
            ("API, upload session", apiSession, () => SessionAsync(http, id, size, digest)),
        };
        var shuffle = new Random(20261123);
        var order = Enumerable.Range(0, paths.Length).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            shuffle.Shuffle(order);
            foreach (var n in order)
            {
                var (name, rates, upload) = paths[n];
                var meter = new CpuMeter();
                meter.Start();
                var (rate, blob) = await upload();
                var (self, azurite) = meter.Stop();
                var sum = cpu.GetValueOrDefault(name);
                cpu[name] = (sum.Self + self, sum.Azurite + (azurite ?? double.NaN));
                rates.Add(rate);
                await (blob.StartsWith("raw/", StringComparison.Ordinal) ? raw : credit).DeleteBlobAsync(blob);
            }
        }

        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        static string Row(string what, List<double> xs) => $"| {what} | {Median(xs):0.0} | {xs.Min():0.0} | {xs.Max():0.0} |";
        Console.WriteLine();
        Console.WriteLine($"| Upload of {sizeMiB} MiB ({rounds} rounds, order shuffled each round) | median MiB/s | min | max |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(Row("API, with Content-Length: POST /api/applications/{id}/documents → one streamed Put Blob (SHA-256, checks, labels, index)", api));
        Console.WriteLine(Row("Raw SDK: BlobClient.UploadAsync, default transfer options (one Put Blob below 256 MiB)", sdk));
        Console.WriteLine(Row("API, with Content-Length and Repr-Digest (the client's SHA-256): one streamed Put Blob carrying every label, checked before its last bytes, then the index", apiDigest));
        Console.WriteLine(Row("API, chunked (no Content-Length) → staged 4 MiB blocks, 2 in flight (SHA-256, checks, commit, index)", apiChunked));
        Console.WriteLine(Row("Raw SDK: UploadAsync with 4 MiB blocks, 2 in flight (the API's block settings)", sdkSameBlocks));
        Console.WriteLine(Row("API, upload session: open it, one Put Blob to its SAS URL with the SDK, complete it (the app reads the blob back once: checks, SHA-256, labels, index)", apiSession));
        Console.WriteLine();
        Console.WriteLine($"API with length / raw SDK default: {Median(api) / Median(sdk):P0}; API chunked / raw SDK same blocks: {Median(apiChunked) / Median(sdkSameBlocks):P0}; " +
            $"API chunked / raw SDK default: {Median(apiChunked) / Median(sdk):P0} (target ≥ 80%).");
        Console.WriteLine($"API with length and Repr-Digest / raw SDK default: {Median(apiDigest) / Median(sdk):P0} (the client hashed the {sizeMiB} MiB once beforehand, in {hashWatch.Elapsed.TotalMilliseconds:0} ms, not timed).");
        Console.WriteLine($"API upload session / raw SDK default: {Median(apiSession) / Median(sdk):P0} (the same hash announced).");
        Console.WriteLine("Per-round ratios (API with length / SDK default): " + string.Join(", ", api.Zip(sdk, (a, b) => $"{a / b:P0}")));
        Console.WriteLine("Per-round ratios (API with length and Repr-Digest / SDK default): " + string.Join(", ", apiDigest.Zip(sdk, (a, b) => $"{a / b:P0}")));
        Console.WriteLine();
        Console.WriteLine("| CPU per upload (mean of the rounds) | this process: app and client, ms | Azurite, ms |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (path, _, _) in paths)
        {
            var (self, azurite) = cpu[path];
            Console.WriteLine($"| {path} | {self * 1000 / rounds:0} | {azurite * 1000 / rounds:0} |");
        }

        // Memory: one 100 MiB upload through the API each way, the heap sampled meanwhile.
        Console.WriteLine();
        await MeasureMemoryAsync("with Content-Length (one Put Blob)", async () => (await ApiAsync(http, id, Big, chunked: false)).Rate);
        await MeasureMemoryAsync("chunked (staged blocks)", async () => (await ApiAsync(http, id, Big, chunked: true)).Rate);
        return 0;
    }

    private static async Task MeasureMemoryAsync(string what, Func<Task<double>> upload)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var process = Process.GetCurrentProcess();
        var workingSetBefore = process.WorkingSet64;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peak = baseline;
        long peakWorkingSet = workingSetBefore;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                await Task.Delay(5);
            }
        });
        var rate = await upload();
        await stop.CancelAsync();
        await sampler;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Console.WriteLine($"100 MiB upload through the API, {what}: {rate:0.0} MiB/s. Managed heap growth at peak {(peak - baseline) / 1048576.0:0.0} MiB " +
            $"(target < 32 MB), allocated during the upload {allocated / 1048576.0:0.0} MiB, working set growth at peak {(peakWorkingSet - workingSetBefore) / 1048576.0:0.0} MiB.");
    }

    private static async Task<string> OpenAsync(HttpClient http)
    {
        var first17 = "41152219800101123";
        var body = JsonSerializer.Serialize(new
        {
            borrower = new { name = "张三", idNumber = first17 + ApplicationRules.ResidentIdCheckDigit(first17), type = "FarmerHousehold" },
            product = "FarmerHousehold",
            guaranteeType = "Mortgage",
            amount = 500000,
            termMonths = 24,
            annualRatePercent = 6.5,
            purpose = "Bench",
        });
        var response = await http.PostAsync("/api/applications", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>One upload through the API, with its Content-Length or chunked; answers MiB/s and the blob. Fails the run on anything but 201.</summary>
    private static async Task<(double Rate, string Blob)> ApiAsync(HttpClient http, string id, long size, bool chunked, string? reprDigest = null)
    {
        var content = new StreamContent(DocumentSamples.Stream(FileKind.Pdf, size), 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/documents?type=Other") { Content = content };
        if (chunked)
        {
            content.Headers.ContentLength = null;
            request.Headers.TransferEncodingChunked = true;
        }

        if (reprDigest is not null)
        {
            request.Headers.TryAddWithoutValidation(DigestHeader.Repr, reprDigest);
        }

        var watch = Stopwatch.StartNew();
        var response = await http.SendAsync(request);
        watch.Stop();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var blob = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("blobName").GetString()!;
        return (size / 1048576.0 / watch.Elapsed.TotalSeconds, blob);
    }

    /// <summary>An upload session end to end: open, Put Blob to the SAS URL, complete; answers MiB/s and the blob. Fails the run on anything unexpected.</summary>
    private static async Task<(double Rate, string Blob)> SessionAsync(HttpClient http, string id, long size, string reprDigest)
    {
        var sha256 = Convert.ToHexStringLower(Convert.FromBase64String(reprDigest["sha-256=:".Length..^1]));
        var announce = JsonSerializer.Serialize(new { type = "Other", size, sha256 });
        var watch = Stopwatch.StartNew();
        var opened = await http.PostAsync($"/api/applications/{id}/documents/upload-sessions", new StringContent(announce, Encoding.UTF8, "application/json"));
        if (opened.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Opening a session answered {(int)opened.StatusCode}: {await opened.Content.ReadAsStringAsync()}");
        }

        var session = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement;
        await new Azure.Storage.Blobs.Specialized.BlockBlobClient(new Uri(session.GetProperty("uploadUrl").GetString()!))
            .UploadAsync(DocumentSamples.Stream(FileKind.Pdf, size), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/pdf" } });
        var completed = await http.PostAsync(session.GetProperty("completeUrl").GetString(), null);
        watch.Stop();
        if (completed.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Completing a session answered {(int)completed.StatusCode}: {await completed.Content.ReadAsStringAsync()}");
        }

        var blob = JsonDocument.Parse(await completed.Content.ReadAsStringAsync()).RootElement.GetProperty("blobName").GetString()!;
        return (size / 1048576.0 / watch.Elapsed.TotalSeconds, blob);
    }

    /// <summary>The Repr-Digest of the sample PDF of <paramref name="size"/> bytes.</summary>
    private static string DigestOf(long size)
    {
        using var stream = DocumentSamples.Stream(FileKind.Pdf, size);
        return DigestHeader.Format(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)));
    }

    /// <summary>The same bytes, straight to the same Azurite with the SDK; answers MiB/s and the blob.</summary>
    private static async Task<(double Rate, string Blob)> RawAsync(BlobContainerClient container, long size, StorageTransferOptions? transfer)
    {
        var blob = container.GetBlobClient($"raw/{Guid.NewGuid():N}");
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/pdf" } };
        if (transfer is { } t)
        {
            options.TransferOptions = t;
        }

        var watch = Stopwatch.StartNew();
        await blob.UploadAsync(DocumentSamples.Stream(FileKind.Pdf, size), options);
        watch.Stop();
        return (size / 1048576.0 / watch.Elapsed.TotalSeconds, blob.Name);
    }
}
