namespace Tasks;

/// <summary>The tasks registered in this application, by name and by argument type.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskDefinition> _byName;
    private readonly Dictionary<Type, TaskDefinition[]> _byArgs;

    /// <summary>Creates a registry; names must be unique.</summary>
    /// <exception cref="TaskConfigurationException">Two definitions have the same name.</exception>
    public TaskRegistry(IEnumerable<TaskDefinition> definitions)
    {
        _byName = new Dictionary<string, TaskDefinition>(StringComparer.Ordinal);
        foreach (var d in definitions)
        {
            if (!_byName.TryAdd(d.Name, d))
            {
                throw new TaskConfigurationException($"Task name '{d.Name}' is registered twice ({_byName[d.Name].HandlerType.Name} and {d.HandlerType.Name}); task names must be unique.");
            }
        }

        _byArgs = _byName.Values.GroupBy(d => d.ArgumentsType).ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>All definitions.</summary>
    public IReadOnlyCollection<TaskDefinition> All => _byName.Values;

    /// <summary>Finds a definition by name.</summary>
    public bool TryGet(string name, out TaskDefinition definition) => _byName.TryGetValue(name, out definition!);

    /// <summary>The definition named <paramref name="name"/>.</summary>
    /// <exception cref="UnknownTaskException">None has that name.</exception>
    public TaskDefinition Get(string name) => TryGet(name, out var d) ? d : throw new UnknownTaskException(name);

    /// <summary>The one definition whose arguments are <paramref name="argumentsType"/>.</summary>
    /// <exception cref="UnknownTaskException">None or several take that type; enqueue by name then.</exception>
    public TaskDefinition GetByArguments(Type argumentsType)
    {
        if (!_byArgs.TryGetValue(argumentsType, out var found))
        {
            throw new UnknownTaskException(argumentsType.Name, $"no task takes arguments of type {argumentsType.FullName}");
        }

        if (found.Length > 1)
        {
            throw new UnknownTaskException(argumentsType.Name, $"several tasks take {argumentsType.FullName} ({string.Join(", ", found.Select(f => f.Name))}); enqueue by name");
        }

        return found[0];
    }
}
