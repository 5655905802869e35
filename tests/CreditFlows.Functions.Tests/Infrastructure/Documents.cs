using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>Uploads and reads credit files over HTTP, and looks at what storage really holds.</summary>
public sealed class Documents
{
    /// <summary>
    /// Settings for credit-file tests. A body with a Content-Length of at most <paramref name="singleRequestMaxBytes"/>
    /// (default: the app's default, 256 MiB) goes in one Put Blob; 0 sends every upload as staged blocks.
    /// </summary>
    public static Dictionary<string, string?> Settings(long maxUploadBytes = 2 * 1024 * 1024, long? singleRequestMaxBytes = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Documents:EnforceChecklist"] = "true",
            ["Documents:MaxUploadBytes"] = maxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Small blocks, so ordinary test files already go through several staged blocks when they go as blocks.
            ["Documents:BlockBytes"] = (64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (singleRequestMaxBytes is { } single)
        {
            settings["Documents:SingleRequestMaxBytes"] = single.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }

    public static async Task<HttpResponseMessage> UploadAsync(
        HttpClient client, string applicationId, string? type, HttpContent content, string? query = null, string? ifMatch = null, string? idempotencyKey = null, bool chunked = false,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var url = $"/api/applications/{applicationId}/documents?{(type is null ? "" : $"type={type}")}{(query is null ? "" : "&" + query)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
            content.Headers.ContentLength = null;
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    public static ByteArrayContent Content(byte[] bytes, string? contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return content;
    }

    /// <summary>A body sent chunked: no Content-Length, so the app cannot know its length before its end.</summary>
    public static StreamContent Chunked(Stream source, string contentType = "application/octet-stream")
    {
        var content = new StreamContent(new NonSeekable(source), 64 * 1024);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>Uploads and expects 201; answers the document as the API described it.</summary>
    public static async Task<JsonObject> UploadOkAsync(HttpClient client, string applicationId, string type, byte[] bytes, string? query = null) =>
        await Loans.ReadAsync(await UploadAsync(client, applicationId, type, Content(bytes), query), HttpStatusCode.Created);

    public static async Task<JsonArray> ListAsync(HttpClient client, string applicationId)
    {
        var response = await client.GetAsync($"/api/applications/{applicationId}/documents");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
    }

    /// <summary>Every blob under the application's folder, committed or only staged (uncommitted blocks count as left behind).</summary>
    /// <summary>The credit-file container, straight from storage (not through the app).</summary>
    public static BlobContainerClient Container => new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(StorageNames.Containers.CreditFiles);

    public static async Task<List<BlobItem>> BlobsAsync(string branch, string applicationId)
    {
        var container = Container;
        var blobs = new List<BlobItem>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata | BlobTraits.Tags, BlobStates.Uncommitted, $"{branch}/{applicationId}/", CancellationToken.None))
        {
            blobs.Add(blob);
        }

        return blobs;
    }

    /// <summary>Every row of the application's partition in the Documents table.</summary>
    public static async Task<List<TableEntity>> RowsAsync(string applicationId)
    {
        var table = new TableServiceClient(Azurite.ConnectionString).GetTableClient(StorageNames.Tables.Documents);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {applicationId}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Hides the length, so the client sends the body chunked.</summary>
    public sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
