using System.Collections.Immutable;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// A FunctionContext as the worker gives one to a function: its services, its name, and for an HTTP function the
/// HttpContext that the ASP.NET Core integration puts in <see cref="Items"/> (under the key the integration uses), from
/// which the worker binds the <c>HttpRequest</c> parameter.
/// </summary>
public sealed class TestFunctionContext(string name, IServiceProvider services, HttpContext? http = null) : FunctionContext
{
    /// <summary>Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore's Constants.HttpContextKey.</summary>
    public const string HttpContextKey = "HttpRequestContext";

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId { get; } = name;

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = services;

    public override FunctionDefinition FunctionDefinition { get; } = new Definition(name);

    public override IDictionary<object, object> Items { get; set; } = http is null ? new Dictionary<object, object>() : new Dictionary<object, object> { [HttpContextKey] = http };

    public override IInvocationFeatures Features => throw new NotSupportedException();

    public override CancellationToken CancellationToken => CancellationToken.None;

    private sealed class Definition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => typeof(Program).Assembly.Location;

        public override string EntryPoint => name;

        public override string Id => name;

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}

/// <summary>The [Function] methods of the app, with the class each lives in.</summary>
public static class FunctionMethods
{
    public static IEnumerable<(string Name, MethodInfo Method)> All() =>
        from type in typeof(Program).Assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null
        select (function.Name, method);
}
