"""The record of processing activities (个人信息处理活动记录), generated from the other concerns' records."""
