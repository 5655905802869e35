using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The Durable Task client of an HTTP invocation under the Functions host (the <c>[DurableClient]</c> binding of its
/// wrapper), put in <see cref="HttpContext.Features"/> by <see cref="ApiDispatcher"/>. In the embedded default there is
/// no such feature: the client comes from DI.
/// </summary>
public sealed record DurableClientFeature(DurableTaskClient Client);
