using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Hosting;

/// <summary>The Durable client an HTTP trigger's <c>[DurableClient]</c> binding gave, for the shared handlers to use.</summary>
public sealed record DurableClientFeature(DurableTaskClient Client);
