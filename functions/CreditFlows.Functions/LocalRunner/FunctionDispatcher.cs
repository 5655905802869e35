using System.Net.Http.Json;
using CreditFlows.Functions.Hosting;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>The outcome of one invocation as the host would judge it: 2xx is success.</summary>
public sealed record DispatchOutcome(string InvocationId, bool Succeeded, int StatusCode, string Body);

/// <summary>
/// Invokes a function the way the Functions host does: <c>POST /{name}</c> on this app's own HTTP server
/// with <c>{Data, Metadata}</c>. Going through HTTP keeps the local runner and the host on one contract.
/// An invocation running past host.json's <c>functionTimeout</c> is abandoned and counts as failed, as under
/// the host (the request is aborted, so the handler sees its cancellation token fire).
/// </summary>
public sealed class FunctionDispatcher(IServer server, TimeProvider time, FunctionApp app) : IDisposable
{
    public const int TimedOutStatus = 504;

    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private Uri? _baseAddress;

    public async Task<DispatchOutcome> InvokeAsync(string functionName, JsonObject data, JsonObject? metadata, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid().ToString();
        metadata ??= [];
        metadata["sys"] = new JsonObject
        {
            ["MethodName"] = functionName,
            ["UtcNow"] = time.GetUtcNow().UtcDateTime.ToString("O"),
            ["RandGuid"] = Guid.NewGuid().ToString(),
        };
        var body = new JsonObject { ["Data"] = data, ["Metadata"] = metadata };

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseAddress, functionName)) { Content = JsonContent.Create(body) };
        request.Headers.Add(InvocationIdHeader, invocationId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (app.FunctionTimeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return new DispatchOutcome(invocationId, response.IsSuccessStatusCode, (int)response.StatusCode, text);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DispatchOutcome(invocationId, false, TimedOutStatus, $"Timeout value of {app.FunctionTimeout} was exceeded by function: {functionName}");
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The first address this server listens on, with wildcard hosts turned into loopback.</summary>
    private Uri BaseAddress => _baseAddress ??= ResolveBaseAddress();

    private Uri ResolveBaseAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The app's HTTP server has no address yet; the local runner dispatches only after the app has started.");
        var builder = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (builder.Host is "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "127.0.0.1";
        }

        builder.Path = "/";
        return builder.Uri;
    }
}
