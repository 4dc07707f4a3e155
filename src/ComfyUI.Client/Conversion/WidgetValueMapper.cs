using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Conversion;

/// <summary>
/// Maps a UI node's <c>widgets_values</c> onto its class's widgets the way the editor loads them: position by position over the widget
/// layout (input widgets in input order, each followed by its control widgets, upload widgets after the required inputs), a dynamic combo's
/// sub-widgets placed right after it for the chosen value, defaults for widgets the saved list does not reach.
/// </summary>
internal static class WidgetValueMapper
{
    /// <summary>One input widget and its value.</summary>
    internal readonly record struct WidgetValue(NodeInputSchema Input, JsonNode? Value);

    /// <summary>The node's input widgets with their values, in widget order.</summary>
    /// <param name="node">The UI node.</param>
    /// <param name="schema">Its class.</param>
    /// <param name="overrides">Values set on widgets by PrimitiveNodes (widget name → value), or <see langword="null"/>.</param>
    /// <param name="fillMissing">Give widgets the saved list does not reach their default value (the current editor) instead of leaving them out (the editor that saved the workflow).</param>
    /// <param name="report">Receives a warning (code, message) for values that do not fit.</param>
    public static List<WidgetValue> Map(UiNode node, NodeClassSchema schema, Dictionary<string, JsonNode?>? overrides, bool fillMissing, Action<string, string> report)
    {
        var widgets = new List<NodeWidgetSchema>(schema.Widgets);
        var array = node.WidgetsValues as JsonArray;
        var byName = node.WidgetsValues as JsonObject;
        var result = new List<WidgetValue>();
        var missing = new List<string>();
        var position = 0;
        for (var i = 0; i < widgets.Count; i++)
        {
            var widget = widgets[i];
            JsonNode? value = null;
            var has = false;
            if (array is not null)
            {
                has = position < array.Count;
                value = has ? array[position] : null;
                position++;
            }
            else if (byName is not null && widget.Role == NodeWidgetRole.Value)
            {
                has = byName.TryGetPropertyValue(widget.Name, out value);
            }

            if (widget.Role != NodeWidgetRole.Value || widget.Input is not { } input)
            {
                continue;
            }

            if (overrides is not null && overrides.TryGetValue(input.Name, out var primitive))
            {
                value = primitive;
                has = true;
            }

            if (!has)
            {
                missing.Add(input.Name);
                if (!fillMissing)
                {
                    continue;
                }

                value = DefaultValue(input);
            }

            result.Add(new WidgetValue(input, value));
            if (input.DynamicOptions.Count > 0)
            {
                // The chosen option's sub-widgets come right after the combo (its value picks them).
                var key = value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : null;
                var option = input.DynamicOptions.FirstOrDefault(o => string.Equals(o.Key, key, StringComparison.Ordinal));
                if (option is not null)
                {
                    var added = new List<NodeWidgetSchema>();
                    foreach (var sub in option.Inputs)
                    {
                        NodeClassSchemaBuilder.AddWidgets(added, sub);
                    }

                    widgets.InsertRange(i + 1, added);
                }
            }
        }

        if (missing.Count > 0)
        {
            var saved = array is not null ? $"widgets_values has {array.Count} values but the node's widgets take {widgets.Count}" : "widgets_values has no value";
            var what = fillMissing
                ? "they get their default values, as the current editor does"
                : "they are left out, as the editor that saved the workflow sent them (the server rejects a missing required input; convert with FillMissingWidgetValues to use the defaults)";
            report("widget-count", $"{saved} for {string.Join(", ", missing)} (the workflow was saved with an older version of the node): {what}.");
        }
        else if (array is not null && position < array.Count && array.Skip(position).Any(v => v is not null))
        {
            report("widget-count", $"widgets_values has {array.Count} values but the node's widgets take {widgets.Count}: the editor ignores the last {array.Count - position} ({string.Join(", ", array.Skip(position).Select(v => Short(v)))}). The workflow was saved with another version of the node.");
        }

        return result;
    }

    private static string Short(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    /// <summary>The value a new widget starts with in the editor.</summary>
    public static JsonNode? DefaultValue(NodeInputSchema input)
    {
        if (input.Default is { } declared)
        {
            return JsonSerializerNode(declared);
        }

        return input.WidgetType switch
        {
            "INT" or "FLOAT" => JsonValue.Create(0),
            "STRING" or "TEXTAREA" or "MARKDOWN" => JsonValue.Create(""),
            "BOOLEAN" => JsonValue.Create(false),
            "COMBO" or "COMFY_DYNAMICCOMBO_V3" when input.Multiselect => new JsonArray(),
            "COMBO" => input.Choices.Count > 0 ? JsonValue.Create(input.Choices[0]) : JsonValue.Create(""),
            "COMFY_DYNAMICCOMBO_V3" => input.DynamicOptions.Count > 0 ? JsonValue.Create(input.DynamicOptions[0].Key) : null,
            _ => null,
        };
    }

    private static JsonNode? JsonSerializerNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element),
        JsonValueKind.Array => JsonArray.Create(element),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => JsonValue.Create(element),
    };
}
