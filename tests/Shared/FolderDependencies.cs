using System.Reflection;
using System.Reflection.Emit;

namespace UploadGuard.Tests.Common;

/// <summary>
/// Which feature folders of an assembly use which, read from the compiled assembly itself: every type's base type,
/// interfaces, fields, properties, signatures and local variables, and every type, method and field its IL names.
/// A folder is the namespace segment under the assembly's root namespace (<c>UploadGuard.ProtectionEngine.Models</c>
/// and <c>UploadGuard.ProtectionEngine.Models.Anything</c> are both <c>Models</c>).
/// </summary>
public static class FolderDependencies
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Folder to the other folders of the same assembly it uses.</summary>
    public static Dictionary<string, HashSet<string>> Of(Assembly assembly, string rootNamespace)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in assembly.GetTypes())
        {
            var from = FolderOf(type, rootNamespace);
            if (from is null)
                continue;
            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var used in TypesUsedBy(type))
            {
                if (used.Assembly == assembly && FolderOf(used, rootNamespace) is { } to && to != from)
                    edges.Add(to);
            }
        }
        return graph;
    }

    /// <summary>
    /// Assembly to the assemblies it references, for the assemblies found under <paramref name="folder"/> whose names start
    /// with <paramref name="prefix"/> (the project graph, as the compiler recorded it).
    /// </summary>
    public static Dictionary<string, HashSet<string>> Projects(string folder, string prefix)
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var file in Directory.EnumerateFiles(folder, prefix + "*.dll"))
        {
            var assembly = Assembly.LoadFrom(file);
            var references = assembly.GetReferencedAssemblies()
                .Select(r => r.Name!)
                .Where(r => r.StartsWith(prefix, StringComparison.Ordinal));
            graph[assembly.GetName().Name!] = [.. references];
        }
        return graph;
    }

    /// <summary>The cycles among the folders (each a strongly connected set of two or more), empty when there are none.</summary>
    public static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var reaches = graph.Keys.ToDictionary(k => k, k => Reachable(graph, k));
        return graph.Keys
            .Select(k => graph.Keys.Where(o => o == k || (reaches[k].Contains(o) && reaches[o].Contains(k))).Order(StringComparer.Ordinal).ToList())
            .Where(c => c.Count > 1)
            .DistinctBy(c => string.Join(",", c))
            .ToList();
    }

    /// <summary>One way round a cycle, for the failure message: "A -> B -> A".</summary>
    public static string Describe(Dictionary<string, HashSet<string>> graph, IReadOnlyList<string> cycle)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(cycle);
        var edges = cycle.SelectMany(a => cycle.Where(b => graph[a].Contains(b)).Select(b => $"{a} -> {b}"));
        return string.Join(", ", edges);
    }

    private static HashSet<string> Reachable(Dictionary<string, HashSet<string>> graph, string start)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(graph[start]);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next) && graph.TryGetValue(next, out var onward))
            {
                foreach (var o in onward)
                    stack.Push(o);
            }
        }
        return seen;
    }

    private static string? FolderOf(Type type, string rootNamespace)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
            return null;
        return ns[(rootNamespace.Length + 1)..].Split('.')[0];
    }

    private static IEnumerable<Type> TypesUsedBy(Type type)
    {
        var used = new List<Type?> { type.BaseType, type.DeclaringType };
        used.AddRange(type.GetInterfaces());
        used.AddRange(type.GetFields(Everything).Select(f => f.FieldType));
        used.AddRange(type.GetProperties(Everything).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
                used.Add(info.ReturnType);
            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            var body = method.GetMethodBody();
            if (body is null)
                continue;
            used.AddRange(body.LocalVariables.Select(l => l.LocalType));
            used.AddRange(TypesNamedInIl(method, body.GetILAsByteArray() ?? []));
        }
        return used.OfType<Type>().SelectMany(Unwrap);
    }

    /// <summary>Element types of arrays, pointers and references, and the arguments of generic types.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
            return Unwrap(type.GetElementType()!);
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            return [type.GetGenericTypeDefinition(), .. type.GetGenericArguments().SelectMany(Unwrap)];
        return type.IsGenericParameter ? [] : [type];
    }

    private static IEnumerable<Type> TypesNamedInIl(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField:
                    if (Resolve(module, BitConverter.ToInt32(il, i), typeArguments, methodArguments) is { } named)
                        yield return named;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += OperandSize(opCode.OperandType);
                    break;
            }
        }
    }

    private static Type? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments) switch
            {
                Type t => t,
                MemberInfo m => m.DeclaringType,
                _ => null,
            };
        }
        catch (ArgumentException)
        {
            return null;   // a token of another module's generic context; its declaring type is named elsewhere too
        }
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
