namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The C# behind one non-HTTP function, registered with <see cref="FunctionHostExtensions.AddFunction{THandler}"/>
/// under the function's folder name (the folder that holds its function.json; also the path the host POSTs to).
/// A new scope is made for each invocation. Throw to fail the invocation: the host (or the local runner)
/// then retries as the trigger's rules say.
/// </summary>
public interface IFunctionHandler
{
    Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}

/// <summary>A registered function: its name and how to get the handler that runs it from an invocation's services.</summary>
public sealed record FunctionRegistration(string Name, Func<IServiceProvider, IFunctionHandler> Resolve);
