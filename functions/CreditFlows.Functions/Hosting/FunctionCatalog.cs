using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace CreditFlows.Functions.Hosting;

/// <summary>A function's trigger, as its <c>[Function]</c> wrapper declares it (and functions.metadata records it).</summary>
public abstract record FunctionBinding;

/// <summary>A timer trigger. <see cref="UseMonitor"/> is null when the wrapper leaves it to the host's default.</summary>
public sealed record TimerBinding(string Schedule, bool RunOnStartup = false, bool? UseMonitor = null) : FunctionBinding;

public sealed record QueueBinding(string QueueName) : FunctionBinding;

/// <summary>An HTTP trigger: its route under the <c>api</c> prefix and its methods, lower case.</summary>
public sealed record HttpBinding(string Route, IReadOnlyList<string> Methods) : FunctionBinding;

/// <summary>A Durable orchestrator (the loan workflow): run by the Durable extension, or the embedded engine.</summary>
public sealed record OrchestrationBinding : FunctionBinding;

/// <summary>A Durable activity of an orchestration.</summary>
public sealed record ActivityBinding : FunctionBinding;

public sealed record FunctionDefinition(string Name, FunctionBinding Binding);

/// <summary>
/// Every function of the app, read by reflection from the <c>[Function]</c> wrappers' trigger attributes: the list the
/// Worker SDK writes to functions.metadata for the host, and the one the embedded local runner runs. Tests add their
/// own functions as <see cref="FunctionDefinition"/> services. host.json <c>functions</c>, when present, filters it.
/// </summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(IEnumerable<FunctionDefinition> added, HostJson hostJson)
    {
        var only = hostJson.Functions;
        Functions = [.. FromAssembly(typeof(FunctionCatalog).Assembly).Concat(added).Where(f => only is null || only.Contains(f.Name))];
        var duplicate = Functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        }
    }

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    public FunctionDefinition? Find(string name) => Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The <c>[Function]</c> methods of <paramref name="assembly"/> with the trigger each declares.</summary>
    public static IEnumerable<FunctionDefinition> FromAssembly(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null
        orderby function.Name
        select new FunctionDefinition(function.Name, TriggerOf(method));

    /// <summary>
    /// The trigger of one wrapper. Attribute data rather than attribute instances, so that a property the wrapper does not
    /// set (TimerTrigger's <c>UseMonitor</c>) stays unset, as it does in functions.metadata.
    /// </summary>
    public static FunctionBinding TriggerOf(MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            foreach (var data in parameter.GetCustomAttributesData())
            {
                T? Named<T>(string name) => data.NamedArguments.Where(a => a.MemberName == name).Select(a => (T?)a.TypedValue.Value).FirstOrDefault();
                if (data.AttributeType == typeof(TimerTriggerAttribute))
                {
                    var useMonitor = data.NamedArguments.Any(a => a.MemberName == nameof(TimerTriggerAttribute.UseMonitor)) ? Named<bool>(nameof(TimerTriggerAttribute.UseMonitor)) : (bool?)null;
                    return new TimerBinding((string)data.ConstructorArguments[0].Value!, Named<bool>(nameof(TimerTriggerAttribute.RunOnStartup)), useMonitor);
                }

                if (data.AttributeType == typeof(QueueTriggerAttribute))
                {
                    return new QueueBinding((string)data.ConstructorArguments[0].Value!);
                }

                if (data.AttributeType == typeof(OrchestrationTriggerAttribute))
                {
                    return new OrchestrationBinding();
                }

                if (data.AttributeType == typeof(ActivityTriggerAttribute))
                {
                    return new ActivityBinding();
                }

                if (data.AttributeType == typeof(HttpTriggerAttribute))
                {
                    var trigger = parameter.GetCustomAttribute<HttpTriggerAttribute>()!;
                    return new HttpBinding(trigger.Route ?? method.Name, [.. (trigger.Methods ?? []).Select(m => m.ToLowerInvariant())]);
                }
            }
        }

        throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name}: a [Function] needs a timer, queue, HTTP, orchestration or activity trigger parameter.");
    }
}
