using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>The error objects of the server's validation, field for field (names, order, texts).</summary>
internal static class ValidationErrors
{
    public static PyDict Error(string type, string message, string details, PyDict extraInfo) => new()
    {
        ["type"] = new PyStr(type),
        ["message"] = new PyStr(message),
        ["details"] = new PyStr(details),
        ["extra_info"] = extraInfo,
    };

    public static PyDict RequiredInputMissing(string inputName, bool hasDynamicPaths) =>
        Error("required_input_missing", "Required input is missing", hasDynamicPaths ? inputName.Split('.')[^1] : inputName,
            new PyDict { ["input_name"] = new PyStr(inputName) });

    public static PyDict BadLinkedInput(string inputName, PyValue inputConfig, PyValue value) =>
        Error("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]", inputName,
            new PyDict { ["input_name"] = new PyStr(inputName), ["input_config"] = inputConfig, ["received_value"] = value });

    public static PyDict ReturnTypeMismatch(string inputName, PyValue inputConfig, PyValue receivedType, PyValue inputType, PyValue link) =>
        Error("return_type_mismatch", "Return type mismatch between linked nodes",
            $"{inputName}, received_type({receivedType.Str()}) mismatch input_type({inputType.Str()})",
            new PyDict { ["input_name"] = new PyStr(inputName), ["input_config"] = inputConfig, ["received_type"] = receivedType, ["linked_node"] = link });

    public static PyDict InnerException(string inputName, PyValue inputConfig, PyException exception, PyValue link) =>
        Error("exception_during_inner_validation", "Exception when validating inner node", exception.Message,
            new PyDict
            {
                ["input_name"] = new PyStr(inputName),
                ["input_config"] = inputConfig,
                ["exception_message"] = new PyStr(exception.Message),
                ["exception_type"] = new PyStr(exception.TypeName),
                ["traceback"] = new PyList([]),
                ["linked_node"] = link,
            });

    public static PyDict OuterException(PyException exception) =>
        Error("exception_during_validation", "Exception when validating node", exception.Message,
            new PyDict { ["exception_type"] = new PyStr(exception.TypeName), ["traceback"] = new PyList([]) });

    public static PyDict InvalidInputType(string inputName, PyValue inputType, PyValue inputConfig, PyValue value, PyException exception) =>
        Error("invalid_input_type", $"Failed to convert an input value to a {inputType.Str()} value", $"{inputName}, {value.Str()}, {exception.Message}",
            new PyDict
            {
                ["input_name"] = new PyStr(inputName),
                ["input_config"] = inputConfig,
                ["received_value"] = value,
                ["exception_message"] = new PyStr(exception.Message),
            });

    public static PyDict OutOfRange(string inputName, PyValue inputConfig, PyValue value, PyValue limit, bool belowMin) =>
        Error(belowMin ? "value_smaller_than_min" : "value_bigger_than_max",
            belowMin ? $"Value {value.Str()} smaller than min of {limit.Str()}" : $"Value {value.Str()} bigger than max of {limit.Str()}",
            inputName,
            new PyDict { ["input_name"] = new PyStr(inputName), ["input_config"] = inputConfig, ["received_value"] = value });

    public static PyDict ValueNotInList(string inputName, PyValue? inputConfig, PyValue value, IEnumerable<PyValue> invalid, string listInfo) =>
        Error("value_not_in_list", "Value not in list", $"{inputName}: {string.Join(", ", invalid.Select(v => v.Repr()))} not in {listInfo}",
            new PyDict { ["input_name"] = new PyStr(inputName), ["input_config"] = inputConfig ?? PyNone.Instance, ["received_value"] = value });

    public static PyDict CustomValidationFailed(string inputName, string? message) =>
        Error("custom_validation_failed", "Custom validation failed for node", message is null ? inputName : $"{inputName} - {message}",
            new PyDict { ["input_name"] = new PyStr(inputName) });

    public static PyDict DependencyCycle(string nodeId, string path, IReadOnlyList<string> cycleNodes) =>
        Error("dependency_cycle", "Dependency cycle detected", path,
            new PyDict { ["node_id"] = new PyStr(nodeId), ["cycle_nodes"] = new PyList(cycleNodes.Select(n => (PyValue)new PyStr(n)).ToList()) });
}
